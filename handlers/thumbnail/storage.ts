/** S3 reads and writes for the handler. The only importer of S3 commands; maps SDK errors to ours. */

import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CACHE_CONTROL, FORMATS, THUMBNAIL_METADATA } from './constants';
import { ObjectTooLargeError, StorageRequestError, TransientStorageError } from './errors';
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

    async getOriginal(record): Promise<OriginalObject | typeof SOURCE_CHANGED | typeof SOURCE_GONE> {
      const { bucket, key } = record;
      if (record.size !== undefined && record.size > options.maxInputBytes)
        throw new ObjectTooLargeError(record.size, options.maxInputBytes);
      let response: GetObjectCommandOutput;
      try {
        response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(record.eTag ? { IfMatch: `"${record.eTag}"` } : {}), ...owner }),
        );
      } catch (error) {
        if (isNotFound(error)) return SOURCE_GONE;
        if (isConditionFailed(error)) return SOURCE_CHANGED;
        throw translate(error, `GET s3://${bucket}/${key}`);
      }
      const etag = unquote(response.ETag);
      const size = response.ContentLength;
      if (size !== undefined && size > options.maxInputBytes) {
        response.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        throw new ObjectTooLargeError(size, options.maxInputBytes);
      }
      // Servers that ignore If-Match still tell us which version they returned.
      if (record.eTag !== undefined && etag !== undefined && etag !== record.eTag) {
        response.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        return SOURCE_CHANGED;
      }
      try {
        const body = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
        return { body, etag };
      } catch (error) {
        throw new TransientStorageError(`reading s3://${bucket}/${key}: ${(error as Error).message}`, { cause: error });
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
