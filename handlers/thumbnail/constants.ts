/**
 * The thumbnail function's contract, written once: the names, defaults and limits of its
 * configuration, the keys it writes, and the environment the stack gives it. The handler reads it;
 * infra builds the function's environment, its config schema's bounds and its IAM key patterns
 * from it; scripts and the bench import it. Pure: no imports.
 */

/**
 * How outputs are named (keys.ts applies it): `photo.jpg` -> `photo-<rendition>.<ext>`,
 * `IMG_1.JPG` -> `IMG_1.JPG.<rendition>.<ext>`. The default rendition is `thumbnail`, so the
 * default output is `photo-thumbnail.jpg`.
 */
export const NAMING = {
  /** The one source extension the name drops. */
  canonicalExtension: '.jpg',
  /** Between the stem and the rendition name when the extension was dropped. */
  canonicalSeparator: '-',
  /** Between the whole source name and the rendition name otherwise. */
  otherSeparator: '.',
} as const;

/**
 * Output formats: the extension their keys end in, the headers their objects carry, and what
 * bounds their cost. libvips' deadline stops a JPEG or WebP encode wherever it is, but not an AVIF
 * one: once libheif has the pixels, its AV1 encoder runs to the end on one core (a 4096 x 4096
 * AVIF took 36 s on the reference machine, deadline or not; 1200 px previews of photographs
 * 2.2-4.8 s per megapixel). So AVIF outputs are capped at 2 MP, and their estimated encode time
 * (5 s per megapixel, above the worst measured) must fit the time left before the render starts.
 */
export const FORMATS = {
  jpeg: { extension: '.jpg', contentType: 'image/jpeg', maxPixels: 4096 * 4096, unstoppableMsPerMegapixel: 0 },
  webp: { extension: '.webp', contentType: 'image/webp', maxPixels: 4096 * 4096, unstoppableMsPerMegapixel: 0 },
  avif: { extension: '.avif', contentType: 'image/avif', maxPixels: 2_000_000, unstoppableMsPerMegapixel: 5_000 },
} as const;

export type OutputFormat = keyof typeof FORMATS;
export const OUTPUT_FORMATS = Object.keys(FORMATS) as OutputFormat[];

/**
 * Input formats the function can be given, with the key suffixes that name them. The format of an
 * upload is decided by its bytes, never its name; the suffixes are only the trigger's filter. HEIC
 * (HEVC-coded HEIF, what iPhones write) is not among them: sharp's prebuilt libvips has no HEVC
 * decoder, so it is refused by name.
 */
export const INPUT_FORMATS = {
  jpeg: { label: 'JPEG', suffixes: ['.jpg', '.jpeg', '.jpe', '.jfif'] },
  png: { label: 'PNG', suffixes: ['.png'] },
  webp: { label: 'WebP', suffixes: ['.webp'] },
  gif: { label: 'GIF', suffixes: ['.gif'] },
  avif: { label: 'AVIF', suffixes: ['.avif'] },
} as const;

export type InputFormat = keyof typeof INPUT_FORMATS;
export const INPUT_FORMAT_NAMES = Object.keys(INPUT_FORMATS) as InputFormat[];

/** The input format a key suffix names (any case), or undefined for a suffix of none. */
export const inputFormatOfSuffix = (suffix: string): InputFormat | undefined =>
  INPUT_FORMAT_NAMES.find((format) => (INPUT_FORMATS[format].suffixes as readonly string[]).includes(suffix.toLowerCase()));

/** Suffixes of HEIF files, which this function refuses (HEVC cannot be decoded here). */
export const HEIC_SUFFIXES = ['.heic', '.heif', '.hif'] as const;

/**
 * Every output is replaced in place when its original is re-uploaded (same key), so caches may
 * keep it a day, and serve a stale copy for a week while they fetch the new one.
 */
export const CACHE_CONTROL = 'public, max-age=86400, stale-while-revalidate=604800';

/** How a rendition with a height fits: `cover` crops to exactly width x height, `inside` keeps the aspect ratio within it. */
export const FITS = ['cover', 'inside'] as const;
export type Fit = (typeof FITS)[number];

/** One output an upload becomes: a name (in its key), a size, a format and a quality. */
export interface Rendition {
  /** Lowercase letters and digits, starting with a letter: it ends the output key, so it can hold no separator. */
  readonly name: string;
  readonly width: number;
  /** With a height, `fit` says how the image meets the box; without, the height follows the aspect ratio. */
  readonly height?: number;
  readonly fit?: Fit;
  readonly format: OutputFormat;
  /** 1 to 100, the encoder's quality. */
  readonly quality: number;
}

/** A rendition's name: the key ends in `-<name>.<ext>` or `.<name>.<ext>`, and no name holds `-` or `.`. */
export const RENDITION_NAME = /^[a-z][a-z0-9]{0,31}$/;

/**
 * The longest the renditions' unstoppable encodes (AVIF) can take for any accepted upload, on the
 * reference machine: each at its format's pixel cap, or its box, or its width by the tallest JPEG
 * side (JPEG_MAX_DIMENSION), whichever is smallest. The stack's timeout must leave room for it.
 */
export function worstUnstoppableEncodeMs(renditions: readonly Rendition[]): number {
  return renditions.reduce((sum, rendition) => {
    const pixels = Math.min(FORMATS[rendition.format].maxPixels, rendition.width * (rendition.height ?? JPEG_MAX_DIMENSION));
    return sum + unstoppableEncodeMsOf(rendition.format, pixels);
  }, 0);
}

/** Estimated time of one output's encode that libvips' deadline cannot stop (0 but for AVIF), on the reference machine. */
export const unstoppableEncodeMsOf = (format: OutputFormat, pixels: number): number =>
  (pixels / 1e6) * FORMATS[format].unstoppableMsPerMegapixel;

/** libjpeg-turbo's JPEG_MAX_DIMENSION: no JPEG it decodes is larger on a side. */
export const JPEG_MAX_DIMENSION = 65_500;

/** IAM resource patterns (after `<bucket ARN>/`) that cover every key the renditions are written to, and no other name. */
export function renditionKeyPatterns(renditions: readonly Pick<Rendition, 'name' | 'format'>[]): string[] {
  return renditions.flatMap((rendition) =>
    [NAMING.canonicalSeparator, NAMING.otherSeparator].map(
      (separator) => `*${separator}${rendition.name}${FORMATS[rendition.format].extension}`,
    ),
  );
}

/** Characters S3 leaves as they are when it URL-encodes a key into an event. */
const FORM_SAFE = /[A-Za-z0-9\-_.*/]/;

/**
 * Encode a key the way S3 writes it into events, notifications and EventBridge alike (keys.ts's
 * decodeEventKey is the inverse), and so the way S3 and EventBridge compare key filters with it:
 * space as `+`, `/` and `A-Za-z0-9-_.*` kept, every other byte of the UTF-8 form as `%XX`.
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (FORM_SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** S3 rejects keys longer than 1,024 bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;

/** User-metadata names written on every thumbnail (sent as `x-amz-meta-*`). */
export const THUMBNAIL_METADATA = {
  sourceBucket: 'source-bucket',
  sourceKey: 'source-key',
  sourceEtag: 'source-etag',
  sourceSequencer: 'source-sequencer',
  /** Which rendition the object is (its name). */
  rendition: 'rendition',
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
  /** Only keys under it are thumbnailed (an adopted bucket's uploads folder); unset: every key. */
  sourcePrefix: 'SOURCE_PREFIX',
  destinationBucket: 'THUMBNAIL_BUCKET',
  /** The renditions, as JSON: `[{"name":"thumbnail","width":100,"format":"jpeg","quality":80}]`. */
  renditions: 'RENDITIONS',
  /** Input formats it takes, comma-separated (`jpeg,png`); unset: JPEG only. */
  inputFormats: 'INPUT_FORMATS',
  /** What transparent pixels become in JPEG outputs (`#rrggbb`); unset: white. */
  jpegBackground: 'JPEG_BACKGROUND',
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
  /** The seed notes' thumbnail: 100 px wide JPEG, `<stem>-thumbnail.jpg`. */
  renditions: [{ name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 }] as readonly Rendition[],
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
  /** The design card's input: JPEG only. */
  inputFormats: ['jpeg'] as readonly InputFormat[],
  /** Transparent pixels of PNG, WebP, GIF or AVIF uploads become white in JPEG outputs (WebP and AVIF outputs keep them). */
  jpegBackground: '#ffffff',
} as const;

/**
 * How originals are downloaded (see download.ts): objects of 16 MiB and more in ranges of at least
 * 8 MiB (AWS's guidance for byte-range fetches), up to 4 fetched at once, so a 40 MB upload arrives
 * in a quarter of one stream's time (about 0.5 s at 80 MB/s) for up to 3 more GET requests; a
 * photo of a few MB comes in one GET, as its extra requests would cost more than the time saved.
 */
export const DOWNLOAD = { partBytes: 8 * 1024 * 1024, maxParts: 4 } as const;

export const LIMITS = {
  maxRenditions: 8,
  maxWidth: 4096,
  maxHeight: 4096,
  minQuality: 1,
  maxQuality: 100,
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
  /** Time a render may need at least, on top of its estimated decode time doubled (Lambda's CPU share is below one core). */
  minRenderMs: 1_000,
  /** Frames of an animated GIF, WebP or PNG: only the first is decoded, but the decoders walk them all; real animations have hundreds. */
  maxFrames: 1_000,
  /** PNG chunks of any kind (encoders split IDAT into chunks of 8 KB or more: a 50 MB PNG has a few thousand). */
  maxPngChunks: 65_536,
  /** Tiles of an AVIF grid (a 48 MP photo is a few dozen 512 px tiles), items and boxes of any HEIF file. */
  maxAvifTiles: 1_024,
  maxHeifItems: 4_096,
  maxHeifBoxes: 10_000,
} as const;

/**
 * The time a render needs before it starts, besides `uploadReserveMs`: twice the estimated decode,
 * and every encode the deadline cannot stop (AVIF), at least `minRenderMs`. The handler checks an
 * invocation's remaining time against it; the stack's config checks the timeout against its worst case.
 */
export const renderTimeNeededMs = (estimatedDecodeMs: number, unstoppableEncodeMs: number): number =>
  Math.max(LIMITS.minRenderMs, Math.ceil(2 * estimatedDecodeMs + unstoppableEncodeMs));

/** What the stack deploys the function with; its values may be Terraform references. */
export interface FunctionSettings {
  readonly sourceBucket: string;
  readonly sourcePrefix?: string;
  readonly inputFormats?: readonly InputFormat[];
  readonly jpegBackground?: string;
  readonly destinationBucket: string;
  readonly renditions: readonly Rendition[];
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
    ...(settings.sourcePrefix ? { [ENV.sourcePrefix]: settings.sourcePrefix } : {}),
    [ENV.destinationBucket]: settings.destinationBucket,
    [ENV.renditions]: JSON.stringify(settings.renditions),
    // Only when they differ from the defaults, so that a default stack's function is as it was.
    ...(settings.inputFormats && settings.inputFormats.join(',') !== DEFAULTS.inputFormats.join(',')
      ? { [ENV.inputFormats]: settings.inputFormats.join(',') }
      : {}),
    ...(settings.jpegBackground && settings.jpegBackground !== DEFAULTS.jpegBackground
      ? { [ENV.jpegBackground]: settings.jpegBackground }
      : {}),
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
