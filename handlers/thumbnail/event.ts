/** Reading S3 event notifications into validated records. */

import { InvalidEventError } from './errors';
import { isObject, type Json } from './json';
import { decodeEventKey, decodeEventKeyOrKeep } from './keys';
import { RECORD_KIND, type RecordKind, type SourceRecord } from './types';

export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidEventError(`${path} must be a non-empty string`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(value, path);
}

function optionalSize(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidEventError(`${path} must be a non-negative integer`);
  return value;
}

function kindOf(eventName: string): RecordKind | undefined {
  if (eventName.startsWith('ObjectCreated:')) return RECORD_KIND.created;
  if (eventName.startsWith('ObjectRemoved:')) return RECORD_KIND.removed;
  return undefined;
}

/**
 * S3 sends `{"Event": "s3:TestEvent", ...}` (no Records) when a notification is configured.
 * It means nothing to process, and is not an error.
 */
export function isS3TestEvent(event: unknown): boolean {
  return isObject(event) && event['Event'] === 's3:TestEvent';
}

/** One record of an event: validated, or refused with whatever identifies it. */
export type ParsedRecord =
  | {
      readonly index: number;
      readonly record: SourceRecord;
      /** The record as received. */
      readonly raw: unknown;
      /** The event to record for a failure, narrowed to this record, so that it can be replayed exactly. */
      readonly replay: unknown;
    }
  | {
      readonly index: number;
      readonly error: InvalidEventError;
      readonly raw: unknown;
      readonly replay: unknown;
      /** What the malformed record still says about its object, for the failure record. */
      readonly bucket?: string;
      readonly key?: string;
    };

export interface ParsedEvent {
  readonly records: ParsedRecord[];
  /** Records of other event types (restores, replication...), which this function ignores. */
  readonly ignored: { readonly index: number; readonly eventName: string }[];
}

function parseRecord(raw: unknown, index: number): SourceRecord | string {
  const at = `Records[${index}]`;
  if (!isObject(raw)) throw new InvalidEventError(`${at} must be an object`);
  const eventName = requireString(raw['eventName'], `${at}.eventName`);
  const kind = kindOf(eventName);
  if (kind === undefined) return eventName;
  const s3 = raw['s3'];
  if (!isObject(s3) || !isObject(s3['bucket']) || !isObject(s3['object']))
    throw new InvalidEventError(`${at}.s3 must hold bucket and object`);
  return {
    kind,
    eventName,
    bucket: requireString(s3['bucket']['name'], `${at}.s3.bucket.name`),
    ...readObject(s3['object'], `${at}.s3.object`, 'eTag'),
  };
}

/**
 * The object an event names, as S3 describes it in notifications and in EventBridge events alike:
 * its key (URL-encoded, decoded here), and optionally its size, ETag and sequencer. `etagField`
 * is `eTag` in notifications, `etag` in EventBridge events.
 */
export function readObject(
  object: Json,
  at: string,
  etagField: 'eTag' | 'etag',
): Pick<SourceRecord, 'key' | 'size' | 'eTag' | 'sequencer'> {
  const eTag = optionalString(object[etagField], `${at}.${etagField}`);
  const size = optionalSize(object['size'], `${at}.size`);
  const sequencer = optionalString(object['sequencer'], `${at}.sequencer`);
  if (sequencer !== undefined && !/^[0-9A-Fa-f]+$/.test(sequencer)) throw new InvalidEventError(`${at}.sequencer must be hexadecimal`);
  return {
    key: decodeEventKey(requireString(object['key'], `${at}.key`)),
    ...(size === undefined ? {} : { size }),
    ...(eTag === undefined ? {} : { eTag: eTag.replace(/"/g, '') }),
    ...(sequencer === undefined ? {} : { sequencer }),
  };
}

/** The bucket and key a record names, as far as they can be read (the key decoded when it decodes). */
function identityOf(raw: unknown): { bucket?: string; key?: string } {
  const s3 = isObject(raw) ? raw['s3'] : undefined;
  const bucket = isObject(s3) && isObject(s3['bucket']) ? s3['bucket']['name'] : undefined;
  const key = isObject(s3) && isObject(s3['object']) ? s3['object']['key'] : undefined;
  return { ...(typeof bucket === 'string' ? { bucket } : {}), ...(typeof key === 'string' ? { key: decodeEventKeyOrKeep(key) } : {}) };
}

/**
 * Validate an S3 notification record by record, keys decoded. A malformed record is returned with
 * its error instead of failing the event: every other record is still processed.
 */
export function parseS3Event(event: unknown): ParsedEvent {
  if (!isObject(event) || !Array.isArray(event['Records']))
    throw new InvalidEventError('expected an S3 event notification: an object with a Records array');
  const records: ParsedRecord[] = [];
  const ignored: { index: number; eventName: string }[] = [];
  event['Records'].forEach((raw, index) => {
    try {
      const parsed = parseRecord(raw, index);
      if (typeof parsed === 'string') ignored.push({ index, eventName: parsed });
      else records.push({ index, record: parsed, raw, replay: { Records: [raw] } });
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      records.push({ index, error, raw, replay: { Records: [raw] }, ...identityOf(raw) });
    }
  });
  return { records, ignored };
}
