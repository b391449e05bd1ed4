/**
 * S3 events delivered by Amazon EventBridge (a bucket with EventBridge enabled, and a rule whose
 * target is this function): one event per invocation, read into the same validated record as an
 * S3 notification's. Pure.
 *
 * Shape (AWS, "EventBridge event message structure"): `{ version: "0", id, "detail-type": "Object
 * Created" | "Object Deleted" | ..., source: "aws.s3", account, time, region, resources: [bucket
 * ARN], detail: { version, bucket: { name }, object: { key, size, etag, "version-id", sequencer },
 * "request-id", requester, reason, "deletion-type" } }`. The key is URL-encoded as in notifications
 * (`+` for a space; AWS's Powertools decode it with unquote_plus too); deletes carry no size.
 */

import { InvalidEventError } from './errors';
import { type ParsedEvent, readObject, requireString } from './event';
import { isObject } from './json';
import { decodeEventKeyOrKeep } from './keys';
import { RECORD_KIND, type RecordKind } from './types';

/** The `detail-type` of the S3 events the function handles, and the records they become. */
export const EVENTBRIDGE_DETAIL_TYPES: Readonly<Record<string, RecordKind>> = {
  'Object Created': RECORD_KIND.created,
  'Object Deleted': RECORD_KIND.removed,
};

/** The `source` of every event S3 sends to EventBridge. */
export const EVENTBRIDGE_S3_SOURCE = 'aws.s3';

/** An S3 event delivered by EventBridge (not a notification, not a Batch Operations task). */
export function isEventBridgeS3Event(event: unknown): boolean {
  return isObject(event) && event['source'] === EVENTBRIDGE_S3_SOURCE && typeof event['detail-type'] === 'string';
}

/**
 * The one record an EventBridge event carries. A malformed event is returned with its error (and
 * whatever identifies it) rather than thrown, as a notification's record is; another detail-type
 * (restores, tags...) is ignored, naming it. The event itself is what a failure records for replay.
 */
export function parseEventBridgeEvent(event: unknown): ParsedEvent {
  if (!isEventBridgeS3Event(event)) throw new InvalidEventError('expected an S3 event from EventBridge (source "aws.s3")');
  const raw = event as Record<string, unknown>;
  const detailType = raw['detail-type'] as string;
  const kind = EVENTBRIDGE_DETAIL_TYPES[detailType];
  if (kind === undefined) return { records: [], ignored: [{ index: 0, eventName: detailType }] };
  const detail = raw['detail'];
  const bucket = isObject(detail) && isObject(detail['bucket']) ? detail['bucket']['name'] : undefined;
  const object = isObject(detail) && isObject(detail['object']) ? detail['object'] : undefined;
  try {
    if (!isObject(detail) || object === undefined) throw new InvalidEventError('detail must hold bucket and object');
    const deletion = detail['deletion-type'];
    return {
      records: [
        {
          index: 0,
          raw: event,
          replay: event,
          record: {
            kind,
            eventName: typeof deletion === 'string' ? `${detailType} (${deletion})` : detailType,
            bucket: requireString(bucket, 'detail.bucket.name'),
            ...readObject(object, 'detail.object', 'etag'),
          },
        },
      ],
      ignored: [],
    };
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    const key = object?.['key'];
    return {
      records: [
        {
          index: 0,
          raw: event,
          replay: event,
          error,
          ...(typeof bucket === 'string' ? { bucket } : {}),
          ...(typeof key === 'string' ? { key: decodeEventKeyOrKeep(key) } : {}),
        },
      ],
      ignored: [],
    };
  }
}
