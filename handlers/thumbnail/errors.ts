/**
 * Every failure the handler can meet, as one base class with one subclass per cause.
 *
 * `failureClass` decides what happens next: permanent failures are recorded once and not
 * retried (retrying cannot help); transient ones are thrown so the SDK and then Lambda retry them.
 */

export const FAILURE_CLASS = {
  permanent: 'permanent',
  transient: 'transient',
} as const;

export type FailureClass = (typeof FAILURE_CLASS)[keyof typeof FAILURE_CLASS];

export class ThumbnailError extends Error {
  readonly failureClass: FailureClass;
  /** The rendition being made when it failed, when it failed in one (its encoder, say). */
  rendition?: string;

  constructor(message: string, failureClass: FailureClass, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ThumbnailError';
    this.failureClass = failureClass;
  }

  /** Say which rendition failed: in the message, and for the failure record. */
  inRendition(name: string): this {
    this.rendition = name;
    this.message = `rendition "${name}": ${this.message}`;
    return this;
  }
}

/** A missing or invalid environment variable; raised at init, before any event is read. */
export class ConfigError extends ThumbnailError {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`, FAILURE_CLASS.permanent);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** The invocation payload is not an S3 event notification we can read. */
export class InvalidEventError extends ThumbnailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, FAILURE_CLASS.permanent, options);
    this.name = 'InvalidEventError';
  }
}

/** The event names the bucket the function writes to: processing it could loop forever. */
export class RecursionGuardError extends ThumbnailError {
  constructor(bucket: string) {
    super(`refusing to process bucket "${bucket}": it is the thumbnail destination`, FAILURE_CLASS.permanent);
    this.name = 'RecursionGuardError';
  }
}

/** The object's bytes are not a format the function takes, whatever its name says. */
export class UnsupportedFormatError extends ThumbnailError {
  readonly detected: string;

  /** `accepted`: the labels of the enabled input formats (JPEG by default). */
  constructor(detected: string, accepted: readonly string[] = ['JPEG']) {
    super(
      accepted.length === 1
        ? `not a ${accepted[0]}: the bytes look like ${detected}`
        : `not an image format this function takes (${accepted.join(', ')}): the bytes look like ${detected}`,
      FAILURE_CLASS.permanent,
    );
    this.name = 'UnsupportedFormatError';
    this.detected = detected;
  }
}

/**
 * HEIC: a HEIF file whose images are coded with HEVC (what iPhones write by default). sharp's
 * prebuilt libvips has no HEVC decoder (it is left out for its patents), so it cannot be read here
 * at all, enabled format or not. Said by name, with what to do; never retried.
 */
export class HeicNotSupportedError extends ThumbnailError {
  constructor() {
    super(
      'HEIC (HEVC-coded HEIF, what iPhones write) cannot be decoded: the libvips in the sharp layer has no HEVC decoder (patents). ' +
        'Upload JPEG instead (iPhone: Settings > Camera > Formats > Most Compatible, or a share sheet that converts), ' +
        'convert before uploading, or build the layer with a libvips linked to libde265 (README, "Input formats")',
      FAILURE_CLASS.permanent,
    );
    this.name = 'HeicNotSupportedError';
  }
}

/** The JPEG is truncated or its data is damaged. */
export class CorruptImageError extends ThumbnailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, FAILURE_CLASS.permanent, options);
    this.name = 'CorruptImageError';
  }
}

/** The header declares more pixels than the configured limit; nothing was decoded. */
export class PixelLimitError extends ThumbnailError {
  constructor(width: number, height: number, limit: number) {
    super(`${width}x${height} is ${width * height} pixels, over the limit of ${limit}`, FAILURE_CLASS.permanent);
    this.name = 'PixelLimitError';
  }
}

/** A JPEG variant this pipeline does not decode (12-bit, arithmetic-coded, hierarchical...), refused from its markers. */
export class UnsupportedJpegError extends ThumbnailError {
  constructor(reason: string) {
    super(`unsupported JPEG: ${reason}`, FAILURE_CLASS.permanent);
    this.name = 'UnsupportedJpegError';
  }
}

/** A variant of another input format this pipeline does not decode (an AVIF that is only an image sequence, say), refused from its header. */
export class UnsupportedVariantError extends ThumbnailError {
  constructor(format: string, reason: string) {
    super(`unsupported ${format}: ${reason}`, FAILURE_CLASS.permanent);
    this.name = 'UnsupportedVariantError';
  }
}

/** What a decode limit bounds: see decode-cost.ts. */
export const DECODE_LIMIT = {
  frames: 'frames',
  chunks: 'chunks',
  tiles: 'tiles',
  scans: 'scans',
  segments: 'segments',
  metadata: 'metadata',
  work: 'work',
  memory: 'memory',
} as const;

export type DecodeLimit = (typeof DECODE_LIMIT)[keyof typeof DECODE_LIMIT];

/** Decoding the JPEG would cost more CPU time or memory than allowed; decided from its markers, before decoding. */
export class DecodeLimitError extends ThumbnailError {
  readonly limit: DecodeLimit;

  constructor(limit: DecodeLimit, detail: string) {
    super(`over the ${limit} limit: ${detail}`, FAILURE_CLASS.permanent);
    this.name = 'DecodeLimitError';
    this.limit = limit;
  }
}

/** Rendering ran past its deadline and was stopped: the input is too costly, and retrying would cost the same. */
export class RenderTimeoutError extends ThumbnailError {
  constructor(seconds: number, options?: { cause?: unknown }) {
    super(`rendering was stopped after its ${seconds} s deadline`, FAILURE_CLASS.permanent, options);
    this.name = 'RenderTimeoutError';
  }
}

/** Too little of the invocation's time is left to render safely (slow S3 earlier); a retry starts with the full timeout. */
export class OutOfTimeError extends ThumbnailError {
  constructor(remainingMs: number, neededMs: number) {
    super(`only ${remainingMs} ms left in this invocation, ${neededMs} ms needed to render and upload`, FAILURE_CLASS.transient);
    this.name = 'OutOfTimeError';
  }
}

/** The object is larger than the configured byte limit; it was not downloaded. */
export class ObjectTooLargeError extends ThumbnailError {
  constructor(bytes: number, limit: number) {
    super(`object is ${bytes} bytes, over the limit of ${limit}`, FAILURE_CLASS.permanent);
    this.name = 'ObjectTooLargeError';
  }
}

/** The thumbnail's key would exceed S3's 1,024-byte limit. */
export class KeyTooLongError extends ThumbnailError {
  constructor(key: string, bytes: number) {
    super(`thumbnail key for "${key.slice(0, 64)}..." would be ${bytes} bytes, over S3's 1024`, FAILURE_CLASS.permanent);
    this.name = 'KeyTooLongError';
  }
}

/** S3 refused the request in a way retrying will not fix (access denied, bad request). */
export class StorageRequestError extends ThumbnailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, FAILURE_CLASS.permanent, options);
    this.name = 'StorageRequestError';
  }
}

/** S3 throttled, failed (5xx) or timed out, after the SDK's own retries. */
export class TransientStorageError extends ThumbnailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, FAILURE_CLASS.transient, options);
    this.name = 'TransientStorageError';
  }
}

export const isThumbnailError = (error: unknown): error is ThumbnailError => error instanceof ThumbnailError;
