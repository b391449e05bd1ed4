/**
 * A backfill on the local stack, with S3 Batch Operations' contract: list the originals, write the
 * manifest to the job bucket, invoke the packaged function synchronously with one Batch task per
 * invocation (schema 2.0) at a chosen concurrency, and write a completion report in Batch's CSV
 * format beside it. Stopping it (the `stop` signal) finishes the tasks under way, reports them,
 * and leaves the rest for a re-run, which the handler's idempotency makes cheap.
 */

import { createHash } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BatchResponse, type BatchResult, RESULT_CODE, suffixArguments } from '../../handlers/thumbnail/batch';
import { BACKFILL_PREFIXES } from '../../infra/names';
import { batchEvent } from '../local/batch-events';
import { manifestCsv, wanted } from './manifest';
import { REPORT_FORMAT, REPORT_SCHEMA, type ReportManifest, type ReportRow, reportCsv, reportRow } from './report';

export interface LocalBackfillTarget {
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
  readonly functionName: string;
  readonly originals: string;
  readonly jobBucket: string;
}

export interface LocalBackfillOptions {
  readonly suffixes: readonly string[];
  /** The suffixes match in any case (an EventBridge trigger's). */
  readonly ignoreCase?: boolean;
  readonly prefix?: string;
  readonly concurrency: number;
  readonly jobId?: string;
  /** After each listed page and each finished task. */
  readonly onProgress?: (progress: BackfillProgress) => void;
  /** Checked before each task starts: true stops the run after the tasks under way. */
  readonly stop?: () => boolean;
}

export interface BackfillProgress {
  readonly phase: 'listing' | 'invoking';
  readonly listed: number;
  readonly done: number;
  readonly total: number;
  readonly counts: Readonly<Record<BatchResult['resultCode'], number>>;
}

export interface LocalBackfillResult {
  readonly jobId: string;
  readonly manifestKey: string;
  /** The report's top-level manifest.json. */
  readonly reportKey: string;
  readonly total: number;
  readonly rows: readonly ReportRow[];
  readonly counts: Readonly<Record<BatchResult['resultCode'], number>>;
  /** True when stopped before every task ran. */
  readonly stopped: boolean;
}

/** Every key of the bucket under `prefix` ending in one of `suffixes`, page by page. */
export async function listOriginals(
  s3: S3Client,
  bucket: string,
  options: { suffixes: readonly string[]; ignoreCase?: boolean; prefix?: string; onPage?: (listed: number) => void },
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: options.prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? [])
      if (object.Key && wanted(object.Key, options.suffixes, options.prefix, options.ignoreCase)) keys.push(object.Key);
    options.onPage?.(keys.length);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** One task through the function, as Batch invokes it: synchronously, answered with a result. */
async function invokeTask(target: LocalBackfillTarget, jobId: string, key: string, taskId: string, options: LocalBackfillOptions) {
  const event = batchEvent({
    schema: '2.0',
    invocationId: `${jobId}-${taskId}`,
    jobId,
    tasks: [{ bucket: target.originals, key, taskId }],
    userArguments: suffixArguments(options.suffixes, options.ignoreCase ?? false),
  });
  const response = await target.lambda.send(
    new InvokeCommand({ FunctionName: target.functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const payload = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  // A function error (a crash, a timeout) is a failed task, as Batch reports it.
  if (response.FunctionError)
    return { taskId, resultCode: RESULT_CODE.permanentFailure, resultString: `Lambda returned function error: ${payload}` };
  const answer = JSON.parse(payload) as BatchResponse;
  return (
    answer.results.find((result) => result.taskId === taskId) ?? {
      taskId,
      resultCode: answer.treatMissingKeysAs,
      resultString: 'no result for the task',
    }
  );
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export async function runLocalBackfill(target: LocalBackfillTarget, options: LocalBackfillOptions): Promise<LocalBackfillResult> {
  const jobId = options.jobId ?? `local-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  const counts: Record<BatchResult['resultCode'], number> = { Succeeded: 0, TemporaryFailure: 0, PermanentFailure: 0 };
  const progress = (phase: BackfillProgress['phase'], listed: number, done: number, total: number) =>
    options.onProgress?.({ phase, listed, done, total, counts: { ...counts } });

  const keys = await listOriginals(target.s3, target.originals, {
    suffixes: options.suffixes,
    ignoreCase: options.ignoreCase ?? false,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    onPage: (listed) => progress('listing', listed, 0, 0),
  });
  const manifestKey = `${BACKFILL_PREFIXES.manifests}${jobId}.csv`;
  await target.s3.send(
    new PutObjectCommand({
      Bucket: target.jobBucket,
      Key: manifestKey,
      Body: manifestCsv(keys.map((key) => ({ bucket: target.originals, key }))),
      ContentType: 'text/csv',
    }),
  );

  const rows: (ReportRow | undefined)[] = new Array(keys.length);
  let next = 0;
  let done = 0;
  let stopped = false;
  progress('invoking', keys.length, 0, keys.length);
  const lanes = Array.from({ length: Math.min(Math.max(1, options.concurrency), keys.length) }, async () => {
    while (next < keys.length) {
      if (options.stop?.()) {
        stopped = true;
        return;
      }
      const index = next++;
      const key = keys[index] as string;
      let result: BatchResult;
      try {
        result = await invokeTask(target, jobId, key, String(index + 1), options);
      } catch (error) {
        // The invoke itself failed (throttled, the local stack gone): Batch would retry the task.
        result = {
          taskId: String(index + 1),
          resultCode: RESULT_CODE.temporaryFailure,
          resultString: `invoke failed: ${(error as Error).message}`,
        };
      }
      counts[result.resultCode] += 1;
      rows[index] = reportRow({ bucket: target.originals, key }, result);
      done += 1;
      progress('invoking', keys.length, done, keys.length);
    }
  });
  await Promise.all(lanes);

  const finished = rows.filter((row): row is ReportRow => row !== undefined);
  const reportPrefix = `${BACKFILL_PREFIXES.reports}job-${jobId}/`;
  const results: ReportManifest['Results'][number][] = [];
  for (const status of ['succeeded', 'failed'] as const) {
    const part = finished.filter((row) => row.taskStatus === status);
    if (part.length === 0) continue;
    const text = reportCsv(part);
    const key = `${reportPrefix}results/${md5(`${jobId}-${status}`)}.csv`;
    await target.s3.send(new PutObjectCommand({ Bucket: target.jobBucket, Key: key, Body: text, ContentType: 'text/csv' }));
    results.push({ TaskExecutionStatus: status, Bucket: target.jobBucket, MD5Checksum: md5(text), Key: key });
  }
  const manifest: ReportManifest = {
    Format: REPORT_FORMAT,
    ReportCreationDate: new Date().toISOString(),
    Results: results,
    ReportSchema: REPORT_SCHEMA,
  };
  const reportKey = `${reportPrefix}manifest.json`;
  await target.s3.send(
    new PutObjectCommand({
      Bucket: target.jobBucket,
      Key: reportKey,
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  return { jobId, manifestKey, reportKey, total: keys.length, rows: finished, counts: { ...counts }, stopped };
}
