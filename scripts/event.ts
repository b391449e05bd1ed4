/**
 * `make event`: write an example event, as `sam local generate-event` does, for `make invoke` or a
 * test: an S3 notification (put, delete) or an S3 Batch Operations invocation (batch), for a
 * bucket and key. The bucket defaults to ORIGINALS_BUCKET, which `make invoke` points at the local
 * originals bucket (uploading the sample when the key is one of make local's samples).
 *
 *   make event TYPE=put KEY=photos/cat.jpg OUT=events/cat.json
 *   make event TYPE=batch KEY=photos/cat.jpg SCHEMA=1.0
 */

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { PLACEHOLDER_BUCKET } from './invoke';
import { isMain, runMain } from './lib/cli';
import { type BatchSchema, batchEvent } from './local/batch-events';
import { SequencerClock, s3EventRecord } from './local/s3-events';

export const EVENT_TYPES = ['put', 'delete', 'batch'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventOptions {
  readonly type: EventType;
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly size: number;
  readonly etag: string;
  readonly schema: BatchSchema;
}

export function makeEvent(options: EventOptions, sequencers = new SequencerClock()): unknown {
  if (options.type === 'batch') {
    return batchEvent({
      schema: options.schema,
      invocationId: Buffer.from(randomUUID()).toString('base64url'),
      jobId: randomUUID(),
      tasks: [{ bucket: options.bucket, key: options.key, taskId: Buffer.from(randomUUID()).toString('base64url') }],
    });
  }
  const created = options.type === 'put';
  const record = s3EventRecord(
    {
      eventName: created ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
      bucket: options.bucket,
      key: options.key,
      ...(created ? { size: options.size, eTag: options.etag } : {}),
      sequencer: sequencers.next(),
    },
    {
      region: options.region,
      time: new Date(),
      requestId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      configurationId: 'make-event',
    },
  );
  return { Records: [record] };
}

async function main() {
  const program = new Command('event')
    .description('Write an example S3 notification or S3 Batch Operations event')
    .addOption(new Option('--type <type>', 'put, delete or batch').choices(EVENT_TYPES).default('put'))
    .option('--bucket <name>', `the bucket (${PLACEHOLDER_BUCKET}: make invoke's local originals bucket)`, PLACEHOLDER_BUCKET)
    .option('--key <key>', 'the object key, as stored (it is URL-encoded into the event, as S3 does)', 'samples/landscape.jpg')
    .option('--region <region>', 'the region the record names', 'ap-northeast-1')
    .addOption(new Option('--size <bytes>', "the object's size (put)").argParser(Number).default(1024))
    .option('--etag <etag>', "the object's ETag (put); make invoke fills in the real one", '0123456789abcdef0123456789abcdef')
    .addOption(new Option('--schema <version>', 'Batch Operations invocation schema (batch)').choices(['1.0', '2.0']).default('2.0'))
    .option('--out <file>', 'write here instead of printing')
    .parse();
  const options = program.opts<EventOptions & { out?: string }>();
  if (!Number.isInteger(options.size) || options.size < 0) throw new Error('--size must be a whole number of bytes');
  if (options.key === '') throw new Error('--key must not be empty');
  const json = `${JSON.stringify(makeEvent(options), null, 2)}\n`;
  if (!options.out) {
    process.stdout.write(json);
    return;
  }
  writeFileSync(options.out, json);
  console.error(`wrote ${options.out}`);
}

if (isMain(import.meta.url)) runMain('event', main);
