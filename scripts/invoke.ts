/**
 * `make invoke FUNCTION=thumbnail EVENT=events/s3-put.json`: one synchronous invocation of a
 * packaged function in the local stack, printing its logs, Lambda's REPORT line and the result.
 * S3 events naming the placeholder bucket ORIGINALS_BUCKET are pointed at the local originals
 * bucket; a sample key that is not there yet is uploaded first, and the record's size, ETag and
 * sequencer are filled in from the stored object.
 */

import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { decodeEventKey, encodeEventKey } from '../handlers/thumbnail/keys';
import { readJsonFile } from '../lib/json-file';
import { isMain, runMain } from './lib/cli';
import { SAMPLES } from './lib/samples';
import { formatReport } from './local/function-runner';
import { LocalPipeline } from './local/pipeline';
import { SequencerClock } from './local/s3-events';

export const PLACEHOLDER_BUCKET = 'ORIGINALS_BUCKET';

interface S3RecordLike {
  s3?: { bucket?: { name?: string; arn?: string }; object?: { key?: string; size?: number; eTag?: string; sequencer?: string } };
}

/** Point placeholder records at `bucket`, making sure each object exists, and describe it as S3 would. */
export async function fillS3Event(event: unknown, bucket: string, client: S3Client, sequencers = new SequencerClock()): Promise<unknown> {
  const records = (event as { Records?: S3RecordLike[] }).Records;
  if (!Array.isArray(records)) return event;
  for (const record of records) {
    const s3 = record.s3;
    if (s3?.bucket?.name !== PLACEHOLDER_BUCKET || typeof s3.object?.key !== 'string') continue;
    s3.bucket.name = bucket;
    s3.bucket.arn = `arn:aws:s3:::${bucket}`;
    const key = decodeEventKey(s3.object.key);
    let head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    const sample = SAMPLES.find((candidate) => candidate.key === key);
    if (!head && sample) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await sample.bytes(), ContentType: 'image/jpeg' }));
      head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    }
    if (head) {
      s3.object = {
        key: encodeEventKey(key),
        size: head.ContentLength ?? 0,
        eTag: (head.ETag ?? '').replace(/"/g, ''),
        sequencer: sequencers.next(),
      };
    }
  }
  return event;
}

async function main(): Promise<number> {
  const program = new Command('invoke')
    .description('Invoke a packaged function once, locally, with an event file')
    .requiredOption('--event <file>', 'the event JSON (see events/)')
    .option('--function <name>', 'handler folder name (thumbnail, calculator) or function name', 'thumbnail')
    .option('--env <name>', 'which synthesized environment', 'dev')
    .parse();
  const options = program.opts<{ event: string; function: string; env: string }>();
  const event = readJsonFile(options.event, { what: 'event file', missingHint: 'examples are in events/' });

  const pipeline = await LocalPipeline.startEnvironment(options.env, {
    reset: false,
    concurrency: 1,
    duplicateRate: 0,
    notifications: false,
  });
  const client = pipeline.s3Client();
  try {
    const fn = pipeline.functionModel(options.function);
    const originals = pipeline.buckets.triggering[0];
    const filled = originals ? await fillS3Event(event, originals, client) : event;
    const report = await pipeline.invoke(fn.source, filled);
    console.log(`START RequestId: ${report.requestId} Version: $LATEST`);
    for (const line of report.logs) console.log(line);
    console.log(`END RequestId: ${report.requestId}`);
    console.log(formatReport(report, fn.memoryMB));
    console.log(JSON.stringify(report.ok ? report.result : report.error, null, 2));
    return report.ok ? 0 : 1;
  } finally {
    client.destroy();
    await pipeline.close();
  }
}

if (isMain(import.meta.url)) runMain('invoke', main);
