/** Reading S3 event notifications into validated records. */

import { InvalidEventError } from './errors';
import { decodeEventKey } from './keys';
import { RECORD_KIND, type RecordKind, type SourceRecord } from './types';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function requireString(value: unknown, path: string): string {
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

export interface ParsedRecord {
  readonly record: SourceRecord;
  /** The record as received, kept so a failure can be replayed exactly. */
  readonly raw: unknown;
}

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
  const bucket = s3['bucket'];
  const object = s3['object'];
  const eTag = optionalString(object['eTag'], `${at}.s3.object.eTag`);
  const size = optionalSize(object['size'], `${at}.s3.object.size`);
  const sequencer = optionalString(object['sequencer'], `${at}.s3.object.sequencer`);
  if (sequencer !== undefined && !/^[0-9A-Fa-f]+$/.test(sequencer))
    throw new InvalidEventError(`${at}.s3.object.sequencer must be hexadecimal`);
  return {
    kind,
    eventName,
    bucket: requireString(bucket['name'], `${at}.s3.bucket.name`),
    key: decodeEventKey(requireString(object['key'], `${at}.s3.object.key`)),
    ...(size === undefined ? {} : { size }),
    ...(eTag === undefined ? {} : { eTag: eTag.replace(/"/g, '') }),
    ...(sequencer === undefined ? {} : { sequencer }),
  };
}

/** Validate an S3 notification and return every record in it, keys decoded. */
export function parseS3Event(event: unknown): ParsedEvent {
  if (!isObject(event) || !Array.isArray(event['Records']))
    throw new InvalidEventError('expected an S3 event notification: an object with a Records array');
  const records: ParsedRecord[] = [];
  const ignored: { index: number; eventName: string }[] = [];
  event['Records'].forEach((raw, index) => {
    const parsed = parseRecord(raw, index);
    if (typeof parsed === 'string') ignored.push({ index, eventName: parsed });
    else records.push({ record: parsed, raw });
  });
  return { records, ignored };
}
