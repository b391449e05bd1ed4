/**
 * What the local page shows of a delivered event: the original, every output made from it (as
 * URLs on the local S3 server, with size, bytes and time), or why nothing was made. Pure.
 */

import type { Delivery } from './pipeline';
import { jsonLogLines, type WrittenThumbnail } from './reports';

export interface PageObject {
  readonly key: string;
  /** Its address on the local S3 server (anonymous GETs are allowed there). */
  readonly url: string;
}

export interface PageEvent {
  readonly id: number;
  readonly time: string;
  readonly eventName: string;
  readonly bucket: string;
  readonly key: string;
  readonly outcome: 'written' | 'refused' | 'skipped' | 'deleted' | 'failed' | 'other';
  /** Why nothing was made: the refusal's error type and reason, a skip's reason, a failed invocation's error. */
  readonly reason?: string;
  readonly errorType?: string;
  readonly original: PageObject & { readonly width?: number; readonly height?: number; readonly bytes?: number };
  readonly outputs: readonly (PageObject & {
    readonly rendition?: string;
    readonly format?: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
  })[];
  /** The handler's own time for the record, when it said. */
  readonly ms?: number;
  readonly attempts: number;
}

/** `endpoint/bucket/key`, the key's segments URL-encoded (a key may hold spaces, `+`, unicode). */
export const objectUrl = (endpoint: string, bucket: string, key: string): string =>
  `${endpoint}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

export function pageEvent(id: number, delivery: Delivery, endpoint: string, thumbnailsBucket: string, now = new Date()): PageEvent {
  const { result } = delivery;
  const base = {
    id,
    time: now.toISOString(),
    eventName: delivery.eventName,
    bucket: delivery.bucket,
    key: delivery.key,
    attempts: result.attempts,
    original: { key: delivery.key, url: objectUrl(endpoint, delivery.bucket, delivery.key) },
  };
  if (!result.ok) {
    const error = result.report?.error;
    return {
      ...base,
      outcome: 'failed',
      outputs: [],
      errorType: error?.errorType ?? 'Error',
      reason: error?.errorMessage ?? 'the invocation failed',
    };
  }
  const lines = jsonLogLines(result.report);
  const written = lines.filter((line) => line['message'] === 'thumbnail written') as unknown as WrittenThumbnail[];
  if (written.length > 0) {
    const [first] = written;
    return {
      ...base,
      outcome: 'written',
      original: { ...base.original, width: first?.source.width, height: first?.source.height, bytes: first?.source.bytes },
      outputs: written.flatMap((line) =>
        line.outputs.map((output) => ({
          key: output.key,
          url: objectUrl(endpoint, output.bucket ?? thumbnailsBucket, output.key),
          ...(output.rendition === undefined ? {} : { rendition: output.rendition }),
          ...(output.format === undefined ? {} : { format: output.format }),
          width: output.width,
          height: output.height,
          bytes: output.bytes,
        })),
      ),
      ms: first?.ms.total,
    };
  }
  const failed = lines.find((line) => line['message'] === 'thumbnail failed');
  if (failed) return { ...base, outcome: 'refused', outputs: [], errorType: String(failed['errorType']), reason: String(failed['reason']) };
  const deleted = lines.find((line) => line['message'] === 'thumbnails deleted');
  if (deleted) return { ...base, outcome: 'deleted', outputs: [], reason: `deleted ${(deleted['deleted'] as string[]).join(', ')}` };
  const skipped = lines.find((line) => line['message'] === 'skipped');
  if (skipped) return { ...base, outcome: 'skipped', outputs: [], reason: String(skipped['reason']) };
  return { ...base, outcome: 'other', outputs: [], reason: JSON.stringify(result.report?.result) };
}
