/**
 * S3 Batch Operations' LambdaInvoke contract: reading its invocation (schema 1.0 or 2.0) into
 * records, and answering with the response Batch expects, one result per task. Pure.
 *
 * Invocation: `{ invocationSchemaVersion, invocationId, job: { id, userArguments? (2.0) },
 * tasks: [{ taskId, s3Key (URL-encoded), s3VersionId, s3BucketArn (1.0) | s3Bucket (2.0) }] }`.
 * Response: `{ invocationSchemaVersion, treatMissingKeysAs, invocationId, results: [{ taskId,
 * resultCode: Succeeded | TemporaryFailure | PermanentFailure, resultString }] }`.
 */

import { InvalidEventError, type ThumbnailError } from './errors';
import { isObject, type Json } from './json';
import { decodeEventKey } from './keys';
import { RECORD_KIND, type RecordOutcome, type SourceRecord } from './types';

export const BATCH_SCHEMAS = ['1.0', '2.0'] as const;
export type BatchSchema = (typeof BATCH_SCHEMAS)[number];

/** The eventName a task's record carries, so logs and failures say where it came from. */
export const BATCH_EVENT_NAME = 'BatchOperations:LambdaInvoke';

export const RESULT_CODE = {
  succeeded: 'Succeeded',
  /** Batch retries the task. */
  temporaryFailure: 'TemporaryFailure',
  permanentFailure: 'PermanentFailure',
} as const;
export type ResultCode = (typeof RESULT_CODE)[keyof typeof RESULT_CODE];

/** userArguments (schema 2.0) this function understands. */
export const USER_ARGUMENTS = {
  /** Comma-separated key suffixes to thumbnail (the trigger's, e.g. ".jpg"); other keys succeed as skipped. */
  suffixes: 'suffixes',
  /** "true" when the suffixes match in any case, as an EventBridge trigger's do (`DSC_0001.JPG`); S3's filters do not. */
  ignoreSuffixCase: 'ignoreSuffixCase',
} as const;

/** The userArguments that ask a job's tasks for these suffixes (in any case, when asked): what requestedSuffixes reads. */
export function suffixArguments(suffixes: readonly string[], ignoreCase: boolean): Record<string, string> {
  return { [USER_ARGUMENTS.suffixes]: suffixes.join(','), ...(ignoreCase ? { [USER_ARGUMENTS.ignoreSuffixCase]: 'true' } : {}) };
}

/** Does the key end in one of the suffixes (in any case, when asked)? The trigger's test, shared with the backfill's listing. */
export function endsWithSuffix(key: string, suffixes: readonly string[], ignoreCase: boolean): boolean {
  const name = ignoreCase ? key.toLowerCase() : key;
  return suffixes.some((suffix) => name.endsWith(ignoreCase ? suffix.toLowerCase() : suffix));
}

/** Batch keeps result strings short in its report; a longer reason is cut here. */
export const MAX_RESULT_STRING = 1000;

export type BatchTask =
  | { readonly taskId: string; readonly record: SourceRecord }
  | { readonly taskId: string; readonly error: InvalidEventError; readonly bucket?: string; readonly key?: string };

export interface BatchInvocation {
  readonly schema: BatchSchema;
  readonly invocationId: string;
  readonly jobId: string;
  readonly userArguments: Readonly<Record<string, string>>;
  readonly tasks: readonly BatchTask[];
  /** Tasks without a usable taskId: they get no result, and Batch counts them as treatMissingKeysAs says. */
  readonly unidentified: number;
}

export interface BatchResult {
  readonly taskId: string;
  readonly resultCode: ResultCode;
  readonly resultString: string;
}

export interface BatchResponse {
  readonly invocationSchemaVersion: BatchSchema;
  readonly treatMissingKeysAs: ResultCode;
  readonly invocationId: string;
  readonly results: readonly BatchResult[];
}

/** An invocation from S3 Batch Operations (not an S3 notification). */
export function isBatchEvent(event: unknown): boolean {
  return isObject(event) && 'invocationSchemaVersion' in event && Array.isArray(event['tasks']);
}

/** The bucket name in `arn:aws:s3:::name` (any partition). */
function bucketOfArn(arn: string, at: string): string {
  const match = /^arn:[a-z-]+:s3:::([^/]+)$/.exec(arn);
  if (!match?.[1]) throw new InvalidEventError(`${at}.s3BucketArn is not an S3 bucket ARN: ${arn}`);
  return match[1];
}

function text(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidEventError(`${at} must be a non-empty string`);
  return value;
}

function readTask(raw: Json, schema: BatchSchema, at: string): SourceRecord {
  const bucket =
    schema === '1.0' ? bucketOfArn(text(raw['s3BucketArn'], `${at}.s3BucketArn`), at) : text(raw['s3Bucket'], `${at}.s3Bucket`);
  // Batch URL-encodes keys as notifications do ('+' for a space).
  const key = decodeEventKey(text(raw['s3Key'], `${at}.s3Key`));
  return { kind: RECORD_KIND.created, eventName: BATCH_EVENT_NAME, bucket, key };
}

/**
 * Read a Batch invocation. A task that cannot be read keeps its taskId and gets a permanent
 * failure; only a payload with no invocationId, or an unknown schema, cannot be answered at all.
 */
export function parseBatchEvent(event: unknown): BatchInvocation {
  if (!isObject(event) || !Array.isArray(event['tasks'])) throw new InvalidEventError('expected an S3 Batch Operations invocation');
  const schema = event['invocationSchemaVersion'];
  if (!BATCH_SCHEMAS.includes(schema as BatchSchema))
    throw new InvalidEventError(
      `invocationSchemaVersion ${JSON.stringify(schema)} is not one this function reads (${BATCH_SCHEMAS.join(', ')})`,
    );
  const invocationId = text(event['invocationId'], 'invocationId');
  const job = isObject(event['job']) ? event['job'] : {};
  const userArguments: Record<string, string> = {};
  if (isObject(job['userArguments']))
    for (const [name, value] of Object.entries(job['userArguments'])) if (typeof value === 'string') userArguments[name] = value;
  const tasks: BatchTask[] = [];
  let unidentified = 0;
  event['tasks'].forEach((raw, index) => {
    const at = `tasks[${index}]`;
    const taskId = isObject(raw) && typeof raw['taskId'] === 'string' && raw['taskId'] !== '' ? raw['taskId'] : undefined;
    if (taskId === undefined) {
      unidentified += 1;
      return;
    }
    try {
      tasks.push({ taskId, record: readTask(raw as Json, schema as BatchSchema, at) });
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      const key = (raw as Json)['s3Key'];
      tasks.push({ taskId, error, ...(typeof key === 'string' ? { key } : {}) });
    }
  });
  return {
    schema: schema as BatchSchema,
    invocationId,
    jobId: typeof job['id'] === 'string' ? job['id'] : '',
    userArguments,
    tasks,
    unidentified,
  };
}

/** The suffixes a job asked for (userArguments.suffixes) and whether in any case, or undefined for every key. */
export function requestedSuffixes(
  userArguments: Readonly<Record<string, string>>,
): { readonly suffixes: string[]; readonly ignoreCase: boolean } | undefined {
  const value = userArguments[USER_ARGUMENTS.suffixes];
  if (value === undefined) return undefined;
  const suffixes = value
    .split(',')
    .map((suffix) => suffix.trim())
    .filter(Boolean);
  return suffixes.length > 0 ? { suffixes, ignoreCase: userArguments[USER_ARGUMENTS.ignoreSuffixCase] === 'true' } : undefined;
}

const cut = (value: string) => (value.length <= MAX_RESULT_STRING ? value : `${value.slice(0, MAX_RESULT_STRING - 1)}…`);
const describeError = (error: Error) => `${error.name}: ${error.message}`;

/**
 * A task's result from its outcome: done or skipped (a current thumbnail is not rewritten)
 * succeed; a transient failure (throttling, 5xx, time) is retried by Batch; a permanent one is not.
 */
export function taskResult(taskId: string, outcome: RecordOutcome): BatchResult {
  switch (outcome.status) {
    case 'written':
    case 'deleted':
      return { taskId, resultCode: RESULT_CODE.succeeded, resultString: cut(`${outcome.status}: ${outcome.keys.join(', ')}`) };
    case 'skipped':
      return { taskId, resultCode: RESULT_CODE.succeeded, resultString: cut(`skipped: ${outcome.reason}`) };
    case 'failed':
      return { taskId, resultCode: RESULT_CODE.permanentFailure, resultString: cut(describeError(outcome.error as ThumbnailError)) };
    case 'retry':
      return { taskId, resultCode: RESULT_CODE.temporaryFailure, resultString: cut(describeError(outcome.error)) };
  }
}

export function batchResponse(
  invocation: Pick<BatchInvocation, 'schema' | 'invocationId'>,
  results: readonly BatchResult[],
): BatchResponse {
  return {
    invocationSchemaVersion: invocation.schema,
    // A task missing from the results (it had no taskId to answer with) failed for good.
    treatMissingKeysAs: RESULT_CODE.permanentFailure,
    invocationId: invocation.invocationId,
    results,
  };
}
