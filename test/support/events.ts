/** Example events from `events/`, loaded once and cloned for each test to edit. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeEventKey } from '../../handlers/thumbnail/keys';

const cache = new Map<string, unknown>();

export function loadEvent<T = Record<string, unknown>>(name: string): T {
  if (!cache.has(name)) {
    const path = fileURLToPath(new URL(`../../events/${name}`, import.meta.url));
    cache.set(name, JSON.parse(readFileSync(path, 'utf8')));
  }
  return structuredClone(cache.get(name)) as T;
}

export interface S3RecordOptions {
  readonly bucket: string;
  /** The real key; it is URL-encoded into the event as S3 does. */
  readonly key: string;
  readonly eventName?: string;
  readonly eTag?: string;
  readonly size?: number;
  readonly sequencer?: string;
}

interface S3PutEvent {
  Records: { eventName: string; s3: { bucket: { name: string; arn: string }; object: Record<string, unknown> } }[];
}

/** An "Amazon S3 Put" test event (events/s3-put.json) for the given object. */
export function s3Event(...records: S3RecordOptions[]): S3PutEvent {
  const template = loadEvent<S3PutEvent>('s3-put.json').Records[0];
  if (!template) throw new Error('events/s3-put.json has no record');
  return {
    Records: records.map((options) => {
      const record = structuredClone(template);
      record.eventName = options.eventName ?? 'ObjectCreated:Put';
      record.s3.bucket.name = options.bucket;
      record.s3.bucket.arn = `arn:aws:s3:::${options.bucket}`;
      record.s3.object = {
        key: encodeEventKey(options.key),
        ...(options.size === undefined ? {} : { size: options.size }),
        ...(options.eTag === undefined ? {} : { eTag: options.eTag }),
        ...(options.sequencer === undefined ? {} : { sequencer: options.sequencer }),
      };
      return record;
    }),
  };
}

export interface EventBridgeS3Options {
  readonly bucket: string;
  /** The real key; it is URL-encoded into the event as S3 does. */
  readonly key: string;
  readonly detailType?: string;
  readonly deletionType?: string;
  readonly eTag?: string;
  readonly size?: number;
  readonly sequencer?: string;
}

type EventBridgeS3Event = Record<string, unknown> & {
  detail: { bucket: { name: string }; object: Record<string, unknown> } & Record<string, unknown>;
};

/** An S3 event as EventBridge delivers it (events/eventbridge-object-created.json) for the given object. */
export function eventBridgeS3Event(options: EventBridgeS3Options): EventBridgeS3Event {
  const event = loadEvent<EventBridgeS3Event>('eventbridge-object-created.json');
  event['detail-type'] = options.detailType ?? 'Object Created';
  event['resources'] = [`arn:aws:s3:::${options.bucket}`];
  event.detail.bucket.name = options.bucket;
  event.detail.object = {
    key: encodeEventKey(options.key),
    ...(options.size === undefined ? {} : { size: options.size }),
    ...(options.eTag === undefined ? {} : { etag: options.eTag }),
    ...(options.sequencer === undefined ? {} : { sequencer: options.sequencer }),
  };
  if (options.deletionType) {
    event.detail['reason'] = 'DeleteObject';
    event.detail['deletion-type'] = options.deletionType;
  }
  return event;
}
