/** Names and defaults shared by the thumbnail handler's modules. */

/** Inserted between an original's stem and the output extension: `a/photo.jpg` -> `a/photo-thumbnail.jpg`. */
export const THUMBNAIL_MARKER = '-thumbnail';

export const OUTPUT_EXTENSION = '.jpg';

export const OUTPUT_CONTENT_TYPE = 'image/jpeg';

/** S3 rejects keys longer than 1,024 bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;

/** User-metadata names written on every thumbnail (sent as `x-amz-meta-*`). */
export const THUMBNAIL_METADATA = {
  sourceBucket: 'source-bucket',
  sourceKey: 'source-key',
  sourceEtag: 'source-etag',
  sourceSequencer: 'source-sequencer',
} as const;

/** Environment variables the stack sets on the function; config.ts is their only reader. */
export const ENV = {
  sourceBucket: 'SOURCE_BUCKET',
  destinationBucket: 'THUMBNAIL_BUCKET',
  widths: 'THUMBNAIL_WIDTHS',
  jpegQuality: 'JPEG_QUALITY',
  maxInputPixels: 'MAX_INPUT_PIXELS',
  maxInputBytes: 'MAX_INPUT_BYTES',
  s3RequestTimeoutMs: 'S3_REQUEST_TIMEOUT_MS',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
  expectedBucketOwner: 'EXPECTED_BUCKET_OWNER',
} as const;

export const DEFAULTS = {
  /** The seed notes' value. */
  widths: [100],
  jpegQuality: 80,
  /** 100 MP: any current camera, and large stitched panoramas. */
  maxInputPixels: 100_000_000,
  /** 50 MiB: checked against the event and Content-Length before anything is downloaded. */
  maxInputBytes: 50 * 1024 * 1024,
  /** Idle time on an S3 connection before the request is abandoned and retried: a stall, not a slow transfer. */
  s3RequestTimeoutMs: 3_000,
} as const;

export const LIMITS = {
  maxWidths: 5,
  maxWidth: 4096,
  minJpegQuality: 1,
  maxJpegQuality: 100,
  /** sharp's own ceiling (0x3FFF * 0x3FFF); higher would silently mean "no limit". */
  maxInputPixels: 268_402_689,
} as const;
