/**
 * The thumbnail function's contract, written once: the names, defaults and limits of its
 * configuration, the keys it writes, and the environment the stack gives it. The handler reads it;
 * infra builds the function's environment, its config schema's bounds and its IAM key patterns
 * from it; scripts and the bench import it. Pure: no imports.
 */

/** How thumbnails are named (keys.ts applies it): `photo.jpg` -> `photo-thumbnail.jpg`, `IMG_1.JPG` -> `IMG_1.JPG.thumbnail.jpg`. */
export const NAMING = {
  /** The one source extension the name drops. */
  canonicalExtension: '.jpg',
  /** Between the stem and the output name when the extension was dropped. */
  canonicalSeparator: '-',
  /** Between the whole source name and the output name otherwise. */
  otherSeparator: '.',
  outputName: 'thumbnail',
} as const;

export const OUTPUT_EXTENSION = '.jpg';

export const OUTPUT_CONTENT_TYPE = 'image/jpeg';

/** IAM resource patterns (after `<bucket ARN>/`) that cover every key the function writes, and no other name. */
export const THUMBNAIL_KEY_PATTERNS: readonly string[] = [NAMING.canonicalSeparator, NAMING.otherSeparator].flatMap((separator) => [
  `*${separator}${NAMING.outputName}${OUTPUT_EXTENSION}`,
  `*${separator}${NAMING.outputName}-*${OUTPUT_EXTENSION}`,
]);

/** S3 rejects keys longer than 1,024 bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;

/** User-metadata names written on every thumbnail (sent as `x-amz-meta-*`). */
export const THUMBNAIL_METADATA = {
  sourceBucket: 'source-bucket',
  sourceKey: 'source-key',
  sourceEtag: 'source-etag',
  sourceSequencer: 'source-sequencer',
} as const;

/** Names the function logs and publishes metrics under (Powertools' service and CloudWatch namespace). */
export const SERVICE = {
  name: 'thumbnail',
  metricsNamespace: 'ThumbnailPipeline',
} as const;

/** The SDK's own retries inside one invocation (exponential back-off with jitter), before Lambda's. */
export const SDK_RETRIES = {
  maxAttempts: 5,
  mode: 'standard',
} as const;

/** Environment variables the stack sets on the function; config.ts is their only reader. */
export const ENV = {
  sourceBucket: 'SOURCE_BUCKET',
  destinationBucket: 'THUMBNAIL_BUCKET',
  widths: 'THUMBNAIL_WIDTHS',
  jpegQuality: 'JPEG_QUALITY',
  maxInputPixels: 'MAX_INPUT_PIXELS',
  maxInputBytes: 'MAX_INPUT_BYTES',
  maxDecodeMs: 'MAX_DECODE_MS',
  s3RequestTimeoutMs: 'S3_REQUEST_TIMEOUT_MS',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
  expectedBucketOwner: 'EXPECTED_BUCKET_OWNER',
  /** Set by Lambda itself: the function's memory size. */
  functionMemoryMB: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
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
  minS3RequestTimeoutMs: 100,
  maxS3RequestTimeoutMs: 900_000,
  maxDecodeMs: 60_000,
  /** Lambda's memory sizes. */
  minFunctionMemoryMB: 128,
  maxFunctionMemoryMB: 10_240,
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

/** What the stack deploys the function with; its values may be Terraform references. */
export interface FunctionSettings {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly widths: readonly number[];
  readonly jpegQuality: number;
  readonly maxInputPixels: number;
  readonly maxInputBytes: number;
  readonly maxDecodeMs: number;
  readonly s3RequestTimeoutMs: number;
  readonly failureQueueUrl: string;
  readonly expectedBucketOwner: string;
}

/** The function's environment for the settings: the one place the variable names meet the values. */
export function functionEnvironment(settings: FunctionSettings): Record<string, string> {
  return {
    [ENV.sourceBucket]: settings.sourceBucket,
    [ENV.destinationBucket]: settings.destinationBucket,
    [ENV.widths]: settings.widths.join(','),
    [ENV.jpegQuality]: String(settings.jpegQuality),
    [ENV.maxInputPixels]: String(settings.maxInputPixels),
    [ENV.maxInputBytes]: String(settings.maxInputBytes),
    [ENV.maxDecodeMs]: String(settings.maxDecodeMs),
    [ENV.s3RequestTimeoutMs]: String(settings.s3RequestTimeoutMs),
    [ENV.failureQueueUrl]: settings.failureQueueUrl,
    [ENV.expectedBucketOwner]: settings.expectedBucketOwner,
    POWERTOOLS_SERVICE_NAME: SERVICE.name,
    POWERTOOLS_METRICS_NAMESPACE: SERVICE.metricsNamespace,
    AWS_MAX_ATTEMPTS: String(SDK_RETRIES.maxAttempts),
    AWS_RETRY_MODE: SDK_RETRIES.mode,
  };
}
