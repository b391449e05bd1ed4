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
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { ENV, type Rendition, THUMBNAIL_METADATA } from '../handlers/thumbnail/constants';
import { isEventBridgeS3Event } from '../handlers/thumbnail/eventbridge';
import { decodeEventKey, encodeEventKey, renditionKey } from '../handlers/thumbnail/keys';
import { readEnvironment } from '../infra/environments-file';
import { resourceNames } from '../infra/names';
import { readJsonFile } from '../lib/json-file';
import { isMain, runMain } from './lib/cli';
import { SAMPLES } from './lib/samples';
import { renditionsOf } from './local';
import { connectLocalStack } from './local/connect';
import { failureLines, jsonLines } from './local/reports';
import { SequencerClock } from './local/s3-events';
import { uploadEvent } from './local/upload-event';
import { summarize } from './redrive';

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

/**
 * With `make local --serve` running, FILE= is uploaded and the running stack's notification does the
 * rest: this waits for its outcome (the thumbnail made from this upload, or a failure record for
 * its key) and says which.
 */
async function uploadToRunningStack(
  local: Awaited<ReturnType<typeof connectLocalStack>>,
  target: { bucket: string; key: string; region: string; requestId: string },
  body: Buffer,
  namePrefix: string,
): Promise<number> {
  const { ETag } = await local.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: body }));
  const etag = (ETag ?? '').replace(/"/g, '');
  const fn = local.functionModel('thumbnail');
  const renditions = renditionsOf(fn.environment);
  const thumbnails = local.functionVariable('thumbnail', ENV.destinationBucket);
  const primary = renditionKey(target.key, renditions[0] as Rendition);
  console.log(
    `uploaded s3://${target.bucket}/${target.key}; the running stack's notification invokes the function for it (not invoked a second time here)`,
  );
  const queue = local.queueUrl(resourceNames(namePrefix).failureQueue);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const head = await local.s3.send(new HeadObjectCommand({ Bucket: thumbnails, Key: primary })).catch(() => undefined);
    if (head?.Metadata?.[THUMBNAIL_METADATA.sourceEtag] === etag) {
      console.log(
        `invoke: written s3://${thumbnails}/${primary} (${head.ContentLength} bytes); the other terminal and the page show every output`,
      );
      return 0;
    }
    if (queue) {
      const messages = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      const record = (messages.Messages ?? [])
        .map((message) => ({ body: message.Body ?? '', ...summarize(message.Body ?? '') }))
        .find((summary) => summary.key === target.key);
      if (record) {
        const reason = (JSON.parse(record.body) as { responsePayload?: { errorMessage?: string } }).responsePayload?.errorMessage;
        console.error(`invoke: refused ${target.key}: ${record.errorType} (${record.condition})${reason ? `: ${reason}` : ''}`);
        return 1;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.error(`invoke: no outcome for ${target.key} within 60 s: see the terminal of make local --serve`);
  return 1;
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
  if (options.key && !options.file)
    throw new Error(
      `KEY=${options.key} names where FILE= is uploaded: give the file too (FILE=photo.jpg KEY=${options.key}), or an event (EVENT=...)`,
    );
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
    if (options.file && local.attached && fn.source === 'thumbnail')
      // The running stack's bucket notification invokes the function for this upload: a second
      // invocation here would process it twice (and record a refusal twice).
      return await uploadToRunningStack(local, target, readFileSync(options.file), readEnvironment(options.env).namePrefix);
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
    // A skip (the object is gone, a duplicate, outside the prefix...) said on its own line, as refusals are.
    for (const line of jsonLines(logs).filter((entry) => entry['message'] === 'skipped'))
      console.log(
        `invoke: skipped${(line['source'] as { key?: string } | undefined)?.key ? ` ${(line['source'] as { key: string }).key}` : ''}: ${String(line['reason'])}`,
      );
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
