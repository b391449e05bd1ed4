/**
 * `make invoke`: one synchronous invocation of a packaged function in the local stack (the running
 * `make local --serve`, or one started for it), through Lambda's Invoke API as `aws lambda invoke`
 * does, printing the log tail (START, the function's lines, END, REPORT) and the result.
 *
 *   make invoke EVENT=events/s3-put.json          an event file; ORIGINALS_BUCKET becomes the local bucket
 *   make invoke FILE=photo.jpg KEY=photos/x.jpg   upload a file, then invoke with its S3 Put record
 *
 * Exits non-zero when the invocation failed or the handler reports a failed record, and says why
 * on its own line.
 */

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { isEventBridgeS3Event } from '../handlers/thumbnail/eventbridge';
import { decodeEventKey, encodeEventKey } from '../handlers/thumbnail/keys';
import { readJsonFile } from '../lib/json-file';
import { isMain, runMain } from './lib/cli';
import { SAMPLES } from './lib/samples';
import { connectLocalStack } from './local/connect';
import { failureLines } from './local/reports';
import { SequencerClock } from './local/s3-events';
import { uploadEvent } from './local/upload-event';

export const PLACEHOLDER_BUCKET = 'ORIGINALS_BUCKET';

interface S3RecordLike {
  s3?: { bucket?: { name?: string; arn?: string }; object?: { key?: string; size?: number; eTag?: string; sequencer?: string } };
}

interface EventBridgeDetailLike {
  bucket?: { name?: string };
  object?: { key?: string; size?: number; etag?: string; sequencer?: string };
}

interface BatchTaskLike {
  s3Key?: string;
  s3Bucket?: string;
  s3BucketArn?: string;
}

/** Make sure a sample named by a placeholder event exists in the local bucket; its HEAD when it does. */
async function ensureSample(client: S3Client, bucket: string, key: string) {
  let head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  const sample = SAMPLES.find((candidate) => candidate.key === key);
  if (!head && sample) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await sample.bytes(), ContentType: 'image/jpeg' }));
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  }
  return head;
}

/**
 * Point an event's placeholder bucket (ORIGINALS_BUCKET) at `bucket`, making sure each object
 * exists: S3 notification records and S3 events from EventBridge are described as S3 would
 * (size, ETag, sequencer); S3 Batch Operations tasks (schema 1.0 bucket ARN or 2.0 bucket name)
 * get the bucket.
 */
export async function fillS3Event(event: unknown, bucket: string, client: S3Client, sequencers = new SequencerClock()): Promise<unknown> {
  const tasks = (event as { tasks?: BatchTaskLike[] }).tasks;
  if (Array.isArray(tasks)) {
    for (const task of tasks) {
      const placeholder = task.s3Bucket === PLACEHOLDER_BUCKET || task.s3BucketArn === `arn:aws:s3:::${PLACEHOLDER_BUCKET}`;
      if (!placeholder || typeof task.s3Key !== 'string') continue;
      if (task.s3Bucket !== undefined) task.s3Bucket = bucket;
      if (task.s3BucketArn !== undefined) task.s3BucketArn = `arn:aws:s3:::${bucket}`;
      await ensureSample(client, bucket, decodeEventKey(task.s3Key));
    }
    return event;
  }
  if (isEventBridgeS3Event(event)) {
    const { detail, resources } = event as { detail?: EventBridgeDetailLike; resources?: string[] };
    if (detail?.bucket?.name !== PLACEHOLDER_BUCKET || typeof detail.object?.key !== 'string') return event;
    detail.bucket.name = bucket;
    if (Array.isArray(resources)) (event as { resources: string[] }).resources = [`arn:aws:s3:::${bucket}`];
    const key = decodeEventKey(detail.object.key);
    const head = await ensureSample(client, bucket, key);
    if (head)
      detail.object = {
        ...detail.object,
        key: encodeEventKey(key),
        ...(detail.object.size === undefined ? {} : { size: head.ContentLength ?? 0 }),
        etag: (head.ETag ?? '').replace(/"/g, ''),
        sequencer: sequencers.next(),
      };
    return event;
  }
  const records = (event as { Records?: S3RecordLike[] }).Records;
  if (!Array.isArray(records)) return event;
  for (const record of records) {
    const s3 = record.s3;
    if (s3?.bucket?.name !== PLACEHOLDER_BUCKET || typeof s3.object?.key !== 'string') continue;
    s3.bucket.name = bucket;
    s3.bucket.arn = `arn:aws:s3:::${bucket}`;
    const key = decodeEventKey(s3.object.key);
    const head = await ensureSample(client, bucket, key);
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
    .description('Invoke a packaged function once, locally, with an event file or an uploaded file')
    .option('--event <file>', 'the event JSON (see events/, or make event)')
    .option('--file <path>', 'upload this file to the originals bucket and invoke with its S3 Put event')
    .option('--key <key>', 'the key to upload --file under (default: uploads/<file name>)')
    .option('--function <name>', 'handler folder name (thumbnail, calculator) or function name', 'thumbnail')
    .option('--env <name>', 'which synthesized environment', 'dev')
    .parse();
  const options = program.opts<{ event?: string; file?: string; key?: string; function: string; env: string }>();
  if (!options.event && !options.file) throw new Error('give an event (EVENT=events/s3-put.json) or a file to upload (FILE=photo.jpg)');
  if (options.file && !existsSync(options.file)) throw new Error(`file ${options.file} does not exist`);
  const event = options.event
    ? readJsonFile(options.event, { what: 'event file', missingHint: 'examples are in events/; make event writes others' })
    : undefined;

  const local = await connectLocalStack(options.env, { command: 'make invoke' });
  try {
    if (local.attached) console.log(`using the running local stack (pid ${local.attached.pid}, ${local.attached.lambdaEndpoint})`);
    const fn = local.functionModel(options.function);
    const target = {
      bucket: local.originals,
      key: options.key ?? `uploads/${basename(options.file ?? '')}`,
      region: local.model.region,
      requestId: 'MAKEINVOKE',
    };
    const payload = options.file
      ? await uploadEvent(local.s3, new SequencerClock(), target, readFileSync(options.file))
      : await fillS3Event(event, local.originals, local.s3);
    const response = await local.lambda.send(
      new InvokeCommand({ FunctionName: fn.functionName, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }),
    );
    const logs = Buffer.from(response.LogResult ?? '', 'base64')
      .toString('utf8')
      .trimEnd()
      .split('\n');
    for (const line of logs) console.log(line);
    const result = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8') || 'null') as unknown;
    console.log(JSON.stringify(result, null, 2));
    if (response.FunctionError) {
      const error = result as { errorType?: string; errorMessage?: string } | null;
      console.error(`invoke: the invocation failed: ${error?.errorType ?? 'Error'}: ${error?.errorMessage ?? ''}`);
      return 1;
    }
    const batch = (result as { results?: { taskId: string; resultCode: string; resultString: string }[] } | null)?.results;
    if (Array.isArray(batch)) {
      const unsuccessful = batch.filter((task) => task.resultCode !== 'Succeeded');
      for (const task of unsuccessful) console.error(`invoke: task ${task.taskId}: ${task.resultCode}: ${task.resultString}`);
      return unsuccessful.length > 0 ? 1 : 0;
    }
    const failed = (result as { failed?: number } | null)?.failed ?? 0;
    if (failed > 0) {
      for (const line of failureLines(logs)) console.error(`invoke: ${line}`);
      console.error(`invoke: ${failed} record(s) failed (recorded in the failure queue; make redrive LOCAL=1 ARGS=--dry-run lists them)`);
      return 1;
    }
    return 0;
  } finally {
    await local.close();
  }
}

if (isMain(import.meta.url)) runMain('invoke', main);
