/** Types shared by the thumbnail handler's modules, and the ports its orchestrator talks through. */

import type { InputFormat, Rendition } from './constants';
import type { ThumbnailError } from './errors';

export const RECORD_KIND = {
  created: 'created',
  removed: 'removed',
} as const;

export type RecordKind = (typeof RECORD_KIND)[keyof typeof RECORD_KIND];

/** One S3 notification record, validated, with its key decoded. */
export interface SourceRecord {
  readonly kind: RecordKind;
  readonly eventName: string;
  readonly bucket: string;
  /** The object key exactly as stored in S3 (decoded from the event's URL encoding). */
  readonly key: string;
  readonly size?: number;
  /** Without quotes, as S3 puts it in events. */
  readonly eTag?: string;
  readonly sequencer?: string;
}

export interface ThumbnailConfig {
  readonly sourceBucket: string;
  /** Only keys under it are thumbnailed; undefined: every key. */
  readonly sourcePrefix?: string;
  readonly destinationBucket: string;
  /** What every upload becomes; the first is the primary one (by default `<stem>-thumbnail.jpg`, 100 px JPEG). */
  readonly renditions: readonly Rendition[];
  readonly maxInputPixels: number;
  readonly maxInputBytes: number;
  readonly s3RequestTimeoutMs: number;
  /** Estimated decode time (reference machine) above which a JPEG is refused before decoding. */
  readonly maxDecodeMs: number;
  /** The function's memory size (Lambda sets it); decoding may use a share of it. */
  readonly functionMemoryMB: number;
  /** The input formats it takes; any other, whatever its name, is refused. */
  readonly inputFormats: readonly InputFormat[];
  /** What transparent pixels become in JPEG outputs (`#rrggbb`). */
  readonly jpegBackground: string;
  /** Where permanent failures are recorded; unset means they are only logged. */
  readonly failureQueueUrl?: string;
  /** Account that must own both buckets; S3 answers 403 if it does not (a recreated bucket in another account). */
  readonly expectedBucketOwner?: string;
}

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

/** One output: the rendition asked for, the key it is written to. */
export interface ThumbnailTarget {
  readonly rendition: Rendition;
  readonly key: string;
}

/** A target with its output size, for this source. */
export interface PlannedThumbnail extends ThumbnailTarget, Dimensions {
  /** The scale of the source it is cut from: its width over the source's, or more when it is cropped (`cover`). */
  readonly scale: number;
  /** Cropped to exactly width x height (`cover`), rather than resized to it whole. */
  readonly crop: boolean;
}

/** What a thumbnail's metadata says about the original it was made from. */
export interface ThumbnailProvenance {
  readonly etag: string;
  readonly sourceBucket?: string;
  readonly sourceKey?: string;
  readonly sourceEtag?: string;
  readonly sourceSequencer?: string;
}

/** What decoding an image will cost, estimated from its header (decode-cost.ts, image-cost.ts). */
export interface DecodeEstimate {
  readonly pixels: number;
  /** JPEG: 8x8 blocks over all components, padded to whole MCUs as libjpeg allocates them (0 for other formats). */
  readonly blocks: number;
  /** JPEG: blocks visited, summed over every scan (0 for other formats). */
  readonly blockVisits: number;
  /**
   * Memory the decoder holds for the whole image at once, beyond what streaming rows needs: a
   * progressive JPEG's coefficients, an interlaced PNG, a WebP, GIF or AVIF frame; else 0.
   */
  readonly wholeImageBytes: number;
  /** Estimated decode time on the reference machine. */
  readonly decodeMs: number;
}

export interface ImageHeader extends Dimensions {
  /** What the bytes are. */
  readonly format: InputFormat;
  /** Transparency the outputs must keep (WebP, AVIF) or flatten (JPEG). */
  readonly hasAlpha: boolean;
  /** Dimensions as displayed, after the EXIF orientation is applied. */
  readonly display: Dimensions;
  readonly orientation: number;
  /** It embeds the standard sRGB profile, so no colour conversion is needed. */
  readonly standardSrgb: boolean;
  /** What decoding it costs, estimated from its markers. */
  readonly decode: DecodeEstimate;
}

export interface RenderedThumbnail extends PlannedThumbnail {
  readonly body: Uint8Array;
}

export const DECISION = {
  write: 'write',
  duplicate: 'duplicate',
  stale: 'stale',
} as const;

export type Decision = (typeof DECISION)[keyof typeof DECISION];

/** The original's bytes, as read from S3. */
export interface OriginalObject {
  readonly body: Uint8Array;
  /** Without quotes. */
  readonly etag: string | undefined;
}

/** The original changed after the event was sent: a newer event will process it. */
export const SOURCE_CHANGED = 'source-changed';

/** The original no longer exists: deleted after the event was sent, and its delete event covers it. */
export const SOURCE_GONE = 'source-gone';

export const WRITE_RESULT = { written: 'written', conflict: 'conflict' } as const;
export type WriteResult = (typeof WRITE_RESULT)[keyof typeof WRITE_RESULT];

/** How a write must find the existing object: absent, or exactly the version we looked at. */
export type WriteCondition = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

/** Watching a download: each time more bytes from the start have arrived, and a way to stop it. */
export interface DownloadObserver {
  /** `bytes` is the buffer being filled (the object's size), `available` how many bytes from its start have arrived. */
  readonly inspect?: (bytes: Uint8Array, available: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

/** What the handler needs from S3; storage.ts implements it, tests fake it. */
export interface Storage {
  readThumbnailProvenance(bucket: string, key: string): Promise<ThumbnailProvenance | undefined>;
  /** The original's current ETag and size, without its bytes (a backfill learns its version so). */
  headOriginal(record: SourceRecord): Promise<{ readonly etag: string; readonly size?: number } | typeof SOURCE_GONE>;
  /**
   * The original's bytes, of the version the record names. `download.inspect` sees them as they
   * arrive (throwing aborts the download and rejects with its error); `download.signal` aborts it.
   */
  getOriginal(record: SourceRecord, download?: DownloadObserver): Promise<OriginalObject | typeof SOURCE_CHANGED | typeof SOURCE_GONE>;
  /** Write one output: its format's Content-Type and Cache-Control, and provenance naming the original and the rendition. */
  putThumbnail(
    bucket: string,
    key: string,
    body: Uint8Array,
    source: SourceRecord,
    condition: WriteCondition,
    rendition: Pick<Rendition, 'name' | 'format'>,
  ): Promise<WriteResult>;
  deleteThumbnail(bucket: string, key: string, ifMatch: string): Promise<WriteResult>;
}

/** The invocation a record is processed in: who is asking, and how much time is left. */
export interface Invocation {
  readonly requestId: string;
  readonly functionArn: string;
  /** Milliseconds until Lambda stops the invocation. */
  readonly remainingMs: () => number;
}

/** How one record ended. Permanent failures are recorded and not retried; transient ones are retried. */
export type RecordOutcome =
  | { readonly status: 'written' | 'deleted'; readonly keys: readonly string[] }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: ThumbnailError }
  | { readonly status: 'retry'; readonly error: Error };

type LogFn = (message: string, attributes: Record<string, unknown>) => void;

/** The structured logger (Powertools' Logger in the function). */
export interface Log {
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes';

/** Where metrics go (Powertools' Metrics, as CloudWatch EMF, in the function). */
export interface MetricSink {
  addMetric(name: string, unit: MetricUnit, value: number): void;
}
