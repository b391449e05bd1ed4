/** S3 event notifications as S3 sends them: which rules match, and the record each delivery carries. Pure. */

import { encodeEventKey } from '../../handlers/thumbnail/keys';
import type { NotificationRule } from './stack-model';

/**
 * Does a notification rule (`s3:ObjectCreated:*`, prefix, suffix) select this event for this key?
 * S3 compares the filters with the key as it writes it into the event, URL-encoded.
 */
export function ruleMatches(rule: NotificationRule, eventName: string, key: string): boolean {
  const typeMatches = rule.events.some((pattern) => {
    const wanted = pattern.replace(/^s3:/, '');
    return wanted.endsWith(':*') ? eventName.startsWith(wanted.slice(0, -1)) : eventName === wanted;
  });
  const encoded = encodeEventKey(key);
  return typeMatches && encoded.startsWith(rule.filterPrefix ?? '') && encoded.endsWith(rule.filterSuffix ?? '');
}

/**
 * Why none of a bucket's notification rules selects this event for this key: the event type no
 * rule asks for, else each rule's prefix or suffix the key misses (S3 compares them case-sensitively).
 */
export function whyNoRuleMatches(rules: readonly NotificationRule[], eventName: string, key: string): string {
  const forType = rules.filter((rule) => ruleMatches({ ...rule, filterPrefix: '', filterSuffix: '' }, eventName, key));
  if (forType.length === 0) return `no notification rule for ${eventName} events`;
  const misses = forType.map((rule) => {
    if (rule.filterPrefix && !encodeEventKey(key).startsWith(rule.filterPrefix)) return `prefix "${rule.filterPrefix}"`;
    return `suffix "${rule.filterSuffix ?? ''}"`;
  });
  const caseOnly = forType.some((rule) => rule.filterSuffix && key.toLowerCase().endsWith(rule.filterSuffix.toLowerCase()));
  return `the key matches no filter: not ${[...new Set(misses)].join(', nor ')}${caseOnly ? ' (suffix filters are case-sensitive)' : ''}`;
}

/**
 * Monotonically increasing sequencers, hexadecimal like S3's: for one key, a later event always
 * carries a greater value (compare after left-padding with zeros).
 */
export class SequencerClock {
  private last = 0n;

  constructor(private readonly now: () => bigint = () => BigInt(Date.now()) * 1_000_000n) {}

  next(): string {
    const candidate = this.now();
    this.last = candidate > this.last ? candidate : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}

export interface ObjectEvent {
  readonly eventName: string;
  readonly bucket: string;
  /** The key as stored; the record carries it URL-encoded, as S3 does. */
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly sequencer: string;
}

export interface RecordContext {
  readonly region: string;
  readonly time: Date;
  readonly requestId: string;
  readonly configurationId: string;
}

/** One notification record in S3's format (event version 2.1). */
export function s3EventRecord(event: ObjectEvent, context: RecordContext) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: context.region,
    eventTime: context.time.toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': context.requestId, 'x-amz-id-2': context.requestId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: context.configurationId,
      bucket: { name: event.bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${event.bucket}` },
      object: {
        key: encodeEventKey(event.key),
        ...(event.size === undefined ? {} : { size: event.size }),
        ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
        sequencer: event.sequencer,
      },
    },
  };
}

/** What S3 says made or removed the object, in an EventBridge event's `reason`. */
const REASONS: Readonly<Record<string, string>> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'DeleteObject',
};

/**
 * The event S3 sends to EventBridge for an object event (a bucket with EventBridge on), in AWS's
 * documented shape: `Object Created` / `Object Deleted`, the key URL-encoded as in notifications.
 * Undefined for the event types the function's rules never see.
 */
export function eventBridgeEvent(event: ObjectEvent, context: RecordContext & { readonly account: string; readonly id: string }) {
  const created = event.eventName.startsWith('ObjectCreated:');
  if (!created && !event.eventName.startsWith('ObjectRemoved:')) return undefined;
  return {
    version: '0',
    id: context.id,
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: context.account,
    time: context.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: context.region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: encodeEventKey(event.key),
        ...(created && event.size !== undefined ? { size: event.size } : {}),
        ...(event.eTag === undefined ? {} : { etag: event.eTag }),
        sequencer: event.sequencer,
      },
      'request-id': context.requestId,
      requester: context.account,
      'source-ip-address': '127.0.0.1',
      reason: REASONS[event.eventName] ?? event.eventName,
      ...(created ? {} : { 'deletion-type': 'Permanently Deleted' }),
    },
  };
}
