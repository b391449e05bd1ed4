/** Types shared by the thumbnail handler's modules. */

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
  readonly destinationBucket: string;
  /** The first width is the primary one, written as `<stem>-thumbnail.jpg`. */
  readonly widths: readonly number[];
  readonly jpegQuality: number;
  readonly maxInputPixels: number;
  readonly maxInputBytes: number;
  readonly s3RequestTimeoutMs: number;
  /** Where permanent failures are recorded; unset means they are only logged. */
  readonly failureQueueUrl?: string;
  /** Account that must own both buckets; S3 answers 403 if it does not (a recreated bucket in another account). */
  readonly expectedBucketOwner?: string;
}

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

/** One output: the width asked for, the key it is written to. */
export interface ThumbnailTarget {
  readonly width: number;
  readonly key: string;
}

export interface PlannedThumbnail extends ThumbnailTarget, Dimensions {}

/** What a thumbnail's metadata says about the original it was made from. */
export interface ThumbnailProvenance {
  readonly etag: string;
  readonly sourceEtag?: string;
  readonly sourceSequencer?: string;
}

export interface ImageHeader extends Dimensions {
  /** Dimensions as displayed, after the EXIF orientation is applied. */
  readonly display: Dimensions;
  readonly orientation: number;
  /** It embeds the standard sRGB profile, so no colour conversion is needed. */
  readonly standardSrgb: boolean;
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
