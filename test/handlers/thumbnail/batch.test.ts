import { describe, expect, it } from 'vitest';
import {
  BATCH_EVENT_NAME,
  batchResponse,
  isBatchEvent,
  MAX_RESULT_STRING,
  parseBatchEvent,
  requestedSuffixes,
  taskResult,
} from '../../../handlers/thumbnail/batch';
import { CorruptImageError, InvalidEventError, TransientStorageError } from '../../../handlers/thumbnail/errors';
import { batchEvent } from '../../../scripts/local/batch-events';

const task = (key: string, taskId = 't-1') => ({ bucket: 'originals', key, taskId });

describe('parseBatchEvent', () => {
  it.each(['1.0', '2.0'] as const)('reads schema %s: bucket (ARN or name), key decoded as S3 encodes it', (schema) => {
    const event = batchEvent({
      schema,
      invocationId: 'inv-1',
      jobId: 'job-1',
      tasks: [task('photos/a b+c%.jpg'), task('写真/東京.jpg', 't-2')],
      userArguments: { suffixes: '.jpg' },
    });
    expect(isBatchEvent(event)).toBe(true);
    const parsed = parseBatchEvent(event);
    expect(parsed).toMatchObject({ schema, invocationId: 'inv-1', jobId: 'job-1', unidentified: 0 });
    expect(parsed.tasks).toEqual([
      { taskId: 't-1', record: { kind: 'created', eventName: BATCH_EVENT_NAME, bucket: 'originals', key: 'photos/a b+c%.jpg' } },
      { taskId: 't-2', record: { kind: 'created', eventName: BATCH_EVENT_NAME, bucket: 'originals', key: '写真/東京.jpg' } },
    ]);
    expect(parsed.userArguments).toEqual(schema === '2.0' ? { suffixes: '.jpg' } : {});
  });

  it("reads AWS's documented 1.0 example as sent", () => {
    const parsed = parseBatchEvent({
      invocationSchemaVersion: '1.0',
      invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
      job: { id: 'f3cc4f60-61f6-4a2b-8a21-d07600c373ce' },
      tasks: [
        { taskId: 'dGFza2lkZ29lc2hlcmUK', s3Key: 'customerImage1.jpg', s3VersionId: '1', s3BucketArn: 'arn:aws:s3:::amzn-s3-demo-bucket' },
      ],
    });
    expect(parsed.tasks[0]).toMatchObject({ record: { bucket: 'amzn-s3-demo-bucket', key: 'customerImage1.jpg' } });
  });

  it('keeps a task it cannot read with its taskId and the error; counts tasks without a taskId', () => {
    const parsed = parseBatchEvent({
      invocationSchemaVersion: '2.0',
      invocationId: 'inv',
      job: { id: 'j' },
      tasks: [
        { taskId: 'bad-key', s3Bucket: 'originals', s3Key: '%E0%A4%A.jpg' },
        { taskId: 'no-bucket', s3Key: 'x.jpg' },
        { s3Bucket: 'originals', s3Key: 'x.jpg' },
      ],
    });
    expect(parsed.unidentified).toBe(1);
    expect(parsed.tasks.map((t) => ('error' in t ? [t.taskId, t.error.name] : [t.taskId]))).toEqual([
      ['bad-key', 'InvalidEventError'],
      ['no-bucket', 'InvalidEventError'],
    ]);
  });

  it('refuses what it cannot answer at all: an unknown schema, no invocationId', () => {
    expect(() => parseBatchEvent({ invocationSchemaVersion: '3.0', invocationId: 'i', tasks: [] })).toThrow(/3\.0/);
    expect(() => parseBatchEvent({ invocationSchemaVersion: '1.0', tasks: [] })).toThrow(InvalidEventError);
  });

  it('tells a Batch invocation from an S3 notification', () => {
    expect(isBatchEvent({ Records: [] })).toBe(false);
    expect(isBatchEvent({ invocationSchemaVersion: '1.0', tasks: [] })).toBe(true);
  });
});

describe('requestedSuffixes', () => {
  it('reads a comma-separated list, or none', () => {
    expect(requestedSuffixes({ suffixes: '.jpg, .JPG,' })).toEqual({ suffixes: ['.jpg', '.JPG'], ignoreCase: false });
    expect(requestedSuffixes({ suffixes: '.jpg', ignoreSuffixCase: 'true' })).toEqual({ suffixes: ['.jpg'], ignoreCase: true });
    expect(requestedSuffixes({})).toBeUndefined();
    expect(requestedSuffixes({ suffixes: ' , ' })).toBeUndefined();
  });
});

describe('taskResult and batchResponse', () => {
  it('maps every outcome to the result code Batch acts on', () => {
    expect(taskResult('t', { status: 'written', keys: ['a-thumbnail.jpg'] })).toEqual({
      taskId: 't',
      resultCode: 'Succeeded',
      resultString: 'written: a-thumbnail.jpg',
    });
    expect(taskResult('t', { status: 'skipped', reason: 'duplicate' })).toMatchObject({
      resultCode: 'Succeeded',
      resultString: 'skipped: duplicate',
    });
    expect(taskResult('t', { status: 'failed', error: new CorruptImageError('truncated') })).toMatchObject({
      resultCode: 'PermanentFailure',
      resultString: 'CorruptImageError: truncated',
    });
    expect(taskResult('t', { status: 'retry', error: new TransientStorageError('GET: 503 SlowDown') })).toMatchObject({
      resultCode: 'TemporaryFailure',
      resultString: 'TransientStorageError: GET: 503 SlowDown',
    });
  });

  it('keeps result strings short', () => {
    const result = taskResult('t', { status: 'skipped', reason: 'x'.repeat(5000) });
    expect(result.resultString.length).toBe(MAX_RESULT_STRING);
  });

  it('answers with the schema and invocation it was asked with, missing tasks failing for good', () => {
    expect(batchResponse({ schema: '2.0', invocationId: 'inv' }, [])).toEqual({
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'inv',
      results: [],
    });
  });
});
