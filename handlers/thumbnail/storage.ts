/** S3 reads and writes for the handler. The only importer of S3 commands; maps SDK errors to ours. */

import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CACHE_CONTROL, DOWNLOAD, FORMATS, THUMBNAIL_METADATA } from './constants';
import { Arrivals, type ByteRange, type DownloadPlan, planRanges, rangeHeader } from './download';
import { ObjectTooLargeError, StorageRequestError, ThumbnailError, TransientStorageError } from './errors';
import { type OriginalObject, SOURCE_CHANGED, SOURCE_GONE, type Storage, WRITE_RESULT } from './types';

interface SdkError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const statusOf = (error: unknown): number | undefined => (error as SdkError)?.$metadata?.httpStatusCode;
const nameOf = (error: unknown): string => (error as SdkError)?.name ?? 'Error';

const isNotFound = (error: unknown) => statusOf(error) === 404 || ['NoSuchKey', 'NotFound'].includes(nameOf(error));
/**
 * S3 answers a missing key with 403, not 404, when the caller may not list the bucket. The role
 * may list the originals bucket (so a missing original is a clear 404, and a 403 a real denial),
 * but not the thumbnails bucket: for thumbnail keys, which the role may read, 403 means "absent".
 */
const isAbsentThumbnail = (error: unknown) => isNotFound(error) || statusOf(error) === 403;
/** 412: a condition failed. 409 ConditionalRequestConflict: a concurrent conditional write won. */
const isConditionFailed = (error: unknown) =>
  statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed' || nameOf(error) === 'ConditionalRequestConflict';

/** Translate an SDK error that the SDK already retried into a permanent or transient one of ours. */
function translate(error: unknown, what: string): Error {
  const status = statusOf(error);
  const message = `${what}: ${nameOf(error)}${status ? ` (HTTP ${status})` : ''}: ${(error as Error)?.message ?? String(error)}`;
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
  return permanent ? new StorageRequestError(message, { cause: error }) : new TransientStorageError(message, { cause: error });
}

const unquote = (etag: string | undefined): string | undefined => etag?.replace(/"/g, '');

export interface StorageOptions {
  readonly maxInputBytes: number;
  readonly expectedBucketOwner?: string;
  /** How originals are fetched: in ranges at once, or whole (DOWNLOAD by default). */
  readonly download?: DownloadPlan;
}

/** A response body as the SDK gives it in Node.js: a readable stream. */
interface BodyStream {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy?: (error?: Error) => void;
}

/** Every piece of a body through `take`, in order; rejects with what `take` throws (the body destroyed) or the stream's error. */
function consume(body: BodyStream, take: (chunk: Uint8Array) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      body.destroy?.();
      reject(error);
    };
    body.on('data', (chunk) => {
      if (settled) return;
      try {
        take(chunk);
      } catch (error) {
        fail(error as Error);
      }
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    body.on('error', fail);
    // Destroyed before its end (the download stopped): settled by whoever stopped it, or here.
    body.on('close', () => fail(new Error('the response body closed before its end')));
  });
}

/** The object's size from a Content-Range header ("bytes 0-99/1234"), when it says. */
function totalOfContentRange(header: string | undefined): number | undefined {
  const total = /\/(\d+)$/.exec(header ?? '')?.[1];
  return total === undefined ? undefined : Number(total);
}

/** The source key a thumbnail's metadata names, percent-encoded when written (metadata is ASCII). */
function decodeMetadataKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** S3-backed storage. The client is injected, built once by the caller. */
export function createS3Storage(client: S3Client, options: StorageOptions): Storage {
  const owner = options.expectedBucketOwner === undefined ? {} : { ExpectedBucketOwner: options.expectedBucketOwner };
  return {
    async readThumbnailProvenance(bucket, key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...owner }));
        const metadata = head.Metadata ?? {};
        const sourceEtag = metadata[THUMBNAIL_METADATA.sourceEtag];
        const sourceSequencer = metadata[THUMBNAIL_METADATA.sourceSequencer];
        const sourceBucket = metadata[THUMBNAIL_METADATA.sourceBucket];
        const sourceKey = decodeMetadataKey(metadata[THUMBNAIL_METADATA.sourceKey]);
        return {
          etag: head.ETag ?? '',
          ...(sourceBucket ? { sourceBucket } : {}),
          ...(sourceKey !== undefined ? { sourceKey } : {}),
          ...(sourceEtag ? { sourceEtag } : {}),
          ...(sourceSequencer ? { sourceSequencer } : {}),
        };
      } catch (error) {
        if (isAbsentThumbnail(error)) return undefined;
        throw translate(error, `HEAD s3://${bucket}/${key}`);
      }
    },

    async headOriginal({ bucket, key }) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...owner }));
        return { etag: unquote(head.ETag) ?? '', ...(head.ContentLength === undefined ? {} : { size: head.ContentLength }) };
      } catch (error) {
        if (isNotFound(error)) return SOURCE_GONE;
        throw translate(error, `HEAD s3://${bucket}/${key}`);
      }
    },

    async getOriginal(record, download = {}): Promise<OriginalObject | typeof SOURCE_CHANGED | typeof SOURCE_GONE> {
      const { bucket, key } = record;
      if (record.size !== undefined && record.size > options.maxInputBytes)
        throw new ObjectTooLargeError(record.size, options.maxInputBytes);
      // Ranges only for a version the event names by ETag and size: every range is then of that version.
      const planned = record.size !== undefined && record.eTag !== undefined ? planRanges(record.size, options.download ?? DOWNLOAD) : [];
      const ranges: (ByteRange | undefined)[] = planned.length > 1 ? planned : [undefined];
      const aborted = new AbortController();
      const onAbort = () => aborted.abort(download.signal?.reason);
      download.signal?.addEventListener('abort', onAbort, { once: true });
      const bodies = new Set<{ destroy?: () => void }>();
      const stop = () => {
        aborted.abort();
        for (const body of bodies) body.destroy?.();
      };
      let buffer: Buffer | undefined;
      /** Set when one range found the object gone or changed: the others are stopped, and that is the answer. */
      let ended: typeof SOURCE_CHANGED | typeof SOURCE_GONE | undefined;
      const arrivals = new Arrivals(ranges.map((range) => range ?? { start: 0, end: record.size ?? 0 }));
      let available = 0;
      let etag: string | undefined;
      const what = `GET s3://${bucket}/${key}`;

      /** One request: the whole object, or one range of it, streamed into its place in the buffer. */
      const fetchPart = async (
        part: number,
        range: ByteRange | undefined,
      ): Promise<typeof SOURCE_CHANGED | typeof SOURCE_GONE | undefined> => {
        let response: GetObjectCommandOutput;
        try {
          response = await client.send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(range ? { Range: rangeHeader(range) } : {}),
              ...(record.eTag ? { IfMatch: `"${record.eTag}"` } : {}),
              ...owner,
            }),
            { abortSignal: aborted.signal },
          );
        } catch (error) {
          if (ended !== undefined) return ended;
          if (aborted.signal.aborted) throw aborted.signal.reason ?? error;
          if (isNotFound(error)) return SOURCE_GONE;
          // 416: the object is now shorter than the event said, so it is another version.
          if (isConditionFailed(error) || statusOf(error) === 416) return SOURCE_CHANGED;
          throw translate(error, what);
        }
        const body = response.Body as BodyStream | undefined;
        if (body) bodies.add(body);
        const partEtag = unquote(response.ETag);
        // Servers that ignore If-Match still tell us which version they returned.
        if (record.eTag !== undefined && partEtag !== undefined && partEtag !== record.eTag) return SOURCE_CHANGED;
        etag ??= partEtag;
        const total = range ? totalOfContentRange(response.ContentRange) : response.ContentLength;
        if (total !== undefined && total > options.maxInputBytes) throw new ObjectTooLargeError(total, options.maxInputBytes);
        // Ranges were cut from the event's size: an object of another size is not the version they describe.
        if (range && total !== record.size) return SOURCE_CHANGED;
        buffer ??= total === undefined ? undefined : Buffer.allocUnsafe(total);
        const start = range?.start ?? 0;
        const chunks: Uint8Array[] = [];
        let received = 0;
        /** One piece of the body: into its place in the buffer, then checked. Throws to stop the download. */
        const take = (chunk: Uint8Array) => {
          if (buffer === undefined) {
            // No length said (chunked): kept in pieces, checked at the end.
            chunks.push(chunk);
            received += chunk.byteLength;
            if (received > options.maxInputBytes) throw new ObjectTooLargeError(received, options.maxInputBytes);
            return;
          }
          const end = range?.end ?? buffer.byteLength;
          if (start + received + chunk.byteLength > end) throw new TransientStorageError(`${what}: more bytes than the response said`);
          buffer.set(chunk, start + received);
          received += chunk.byteLength;
          const before = available;
          available = arrivals.add(part, chunk.byteLength);
          if (available > before) download.inspect?.(buffer, available, buffer.byteLength);
        };
        try {
          // Stream events, not async iteration: a promise per piece costs more CPU than the copy itself.
          if (body) await consume(body, take);
        } catch (error) {
          if (ended !== undefined) return ended;
          if (aborted.signal.aborted && aborted.signal.reason !== undefined) throw aborted.signal.reason;
          if (error instanceof ThumbnailError) throw error;
          throw new TransientStorageError(`reading ${what}: ${(error as Error).message}`, { cause: error });
        }
        if (buffer === undefined) {
          buffer = Buffer.concat(chunks);
          download.inspect?.(buffer, buffer.byteLength, buffer.byteLength);
        } else if (received !== (range ? range.end - range.start : buffer.byteLength))
          throw new TransientStorageError(`${what}: the body ended after ${received} bytes`);
        return undefined;
      };

      try {
        const outcomes = await Promise.all(
          ranges.map((range, part) =>
            fetchPart(part, range).then((outcome) => {
              // One range finding the object gone or changed ends the others.
              if (outcome !== undefined && ended === undefined) {
                ended = outcome;
                stop();
              }
              return outcome;
            }),
          ),
        );
        const outcome = ended ?? outcomes.find((each) => each !== undefined);
        if (outcome !== undefined) return outcome;
        return { body: buffer ?? new Uint8Array(), etag };
      } catch (error) {
        stop();
        if (ended !== undefined) return ended;
        throw error;
      } finally {
        download.signal?.removeEventListener('abort', onAbort);
      }
    },

    async putThumbnail(bucket, key, body, source, condition, rendition) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: FORMATS[rendition.format].contentType,
            CacheControl: CACHE_CONTROL,
            Metadata: {
              [THUMBNAIL_METADATA.rendition]: rendition.name,
              [THUMBNAIL_METADATA.sourceBucket]: source.bucket,
              // User metadata travels as HTTP headers: ASCII only, so the key is percent-encoded.
              [THUMBNAIL_METADATA.sourceKey]: encodeURIComponent(source.key),
              ...(source.eTag ? { [THUMBNAIL_METADATA.sourceEtag]: source.eTag } : {}),
              ...(source.sequencer ? { [THUMBNAIL_METADATA.sourceSequencer]: source.sequencer } : {}),
            },
            ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch }),
            ...owner,
          }),
        );
        return WRITE_RESULT.written;
      } catch (error) {
        if (isConditionFailed(error)) return WRITE_RESULT.conflict;
        throw translate(error, `PUT s3://${bucket}/${key}`);
      }
    },

    async deleteThumbnail(bucket, key, ifMatch) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: ifMatch, ...owner }));
        return WRITE_RESULT.written;
      } catch (error) {
        if (isConditionFailed(error)) return WRITE_RESULT.conflict;
        if (isNotFound(error)) return WRITE_RESULT.written;
        throw translate(error, `DELETE s3://${bucket}/${key}`);
      }
    },
  };
}
