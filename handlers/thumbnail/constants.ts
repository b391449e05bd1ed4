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
  maxDecodeMs: 'MAX_DECODE_MS',
  /** Set by Lambda itself: the function's memory size. */
  functionMemoryMB: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
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
  /**
   * Estimated decode time (reference machine, see decode-cost.ts) above which a JPEG is refused:
   * with download and upload, every accepted upload ends within 2 s there (`make bench`).
   */
  maxDecodeMs: 1_500,
  /** Lambda's memory size when the environment does not say (outside Lambda): the stack's default. */
  functionMemoryMB: 1024,
} as const;

export const LIMITS = {
  maxWidths: 5,
  maxWidth: 4096,
  minJpegQuality: 1,
  maxJpegQuality: 100,
  /** sharp's own ceiling (0x3FFF * 0x3FFF); higher would silently mean "no limit". */
  maxInputPixels: 268_402_689,
  maxDecodeMs: 60_000,
  /** libjpeg writes 10 scans (6 for greyscale), mozjpeg about a dozen; more is a CPU attack (LJT-01-003). */
  maxScans: 32,
  /** Marker segments of any kind; a real JPEG has a few dozen. */
  maxSegments: 2_048,
  /** EXIF, XMP (extended XMP carries depth maps), ICC (split over APP2 chunks), comments. */
  maxMetadataSegments: 512,
  maxMetadataBytes: 16 * 1024 * 1024,
  /**
   * Share of the function's memory the worst accepted upload may use at its peak; the rest is
   * headroom for the runtime's own variation (`make bench` measures the peaks).
   */
  peakMemoryShare: 0.7,
  /** Resident memory of the function before any image (Node.js, SDK, sharp and libvips): measured by `make bench`. */
  runtimeReserveBytes: 160 * 1024 * 1024,
  /** Largest thumbnail: a very tall image at a large width is narrowed to stay within it (4096 x 4096). */
  maxOutputPixels: 4096 * 4096,
  /** Time kept back from the render deadline for uploading thumbnails and recording failures. */
  uploadReserveMs: 3_000,
} as const;
