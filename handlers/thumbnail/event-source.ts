/**
 * The two ways an object event arrives, behind one door: an S3 notification (`Records`) or an S3
 * event delivered by EventBridge. Each has its adapter (event.ts, eventbridge.ts) to the same
 * records; nothing past this module asks which way a record came. Pure.
 */

import { type ParsedEvent, parseS3Event } from './event';
import { isEventBridgeS3Event, parseEventBridgeEvent } from './eventbridge';
import { isObject } from './json';

/** The records of an object event, whichever way it came. */
export function parseObjectEvent(event: unknown): ParsedEvent {
  return isEventBridgeS3Event(event) ? parseEventBridgeEvent(event) : parseS3Event(event);
}

/** What names one delivery of one upload in an event, as the event states it (the key still URL-encoded). */
export interface EventObject {
  readonly bucket?: string;
  readonly key?: string;
  readonly sequencer?: string;
  readonly eTag?: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The first object an event names, without validating it: for listings of recorded failures and
 * for telling two deliveries of the same upload apart. Undefined when the payload is neither shape.
 */
export function eventObjectOf(payload: unknown): EventObject | undefined {
  if (!isObject(payload)) return undefined;
  let bucket: unknown;
  let object: unknown;
  let eTagField: 'eTag' | 'etag';
  if (isEventBridgeS3Event(payload)) {
    const detail = isObject(payload['detail']) ? payload['detail'] : {};
    bucket = isObject(detail['bucket']) ? detail['bucket']['name'] : undefined;
    object = detail['object'];
    eTagField = 'etag';
  } else {
    const records = payload['Records'];
    const s3 = Array.isArray(records) && isObject(records[0]) ? records[0]['s3'] : undefined;
    if (!isObject(s3)) return undefined;
    bucket = isObject(s3['bucket']) ? s3['bucket']['name'] : undefined;
    object = s3['object'];
    eTagField = 'eTag';
  }
  const fields = isObject(object) ? object : {};
  const found = {
    bucket: text(bucket),
    key: text(fields['key']),
    sequencer: text(fields['sequencer']),
    eTag: text(fields[eTagField]),
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined)) as EventObject;
}
