import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/core/serde';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchResponse } from '../../../handlers/thumbnail/batch';
import type { InvocationSummary } from '../../../handlers/thumbnail/process-event';
import { NOT_JPEG, orientedJpeg, photoJpeg } from '../../../scripts/lib/samples';
import { batchEvent } from '../../../scripts/local/batch-events';
import { s3Event } from '../../support/events';
import { lambdaContext } from '../../support/lambda';

const ORIGINALS = 'originals-bucket';
const THUMBNAILS = 'thumbnails-bucket';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnail-failures';
const ENV = { SOURCE_BUCKET: ORIGINALS, THUMBNAIL_BUCKET: THUMBNAILS, FAILURE_QUEUE_URL: QUEUE, AWS_REGION: 'eu-west-1' };

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

function s3Error(name: string, status: number) {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

function serve(body: Buffer, etag = 'abc123') {
  s3.on(GetObjectCommand, { Bucket: ORIGINALS }).callsFake(() => ({
    Body: sdkStreamMixin(Readable.from([body])),
    ETag: `"${etag}"`,
    ContentLength: body.length,
  }));
}

const putCalls = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
const failureRecords = () => sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody as string));

// Powertools writes INFO/WARN to stdout and ERROR to stderr.
let output: ReturnType<typeof vi.spyOn>[] = [];
const logLines = () =>
  output
    .flatMap((spy) => spy.mock.calls.map((call: unknown[]) => String(call[0])))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

type Handler = typeof import('../../../handlers/thumbnail/index')['handler'];
let entry: Handler;
/** The handler on an S3 notification, which it answers with a summary. */
const handler = (event: unknown, context: Context) => entry(event, context) as Promise<InvocationSummary>;
/** The handler on an S3 Batch Operations invocation, which it answers with per-task results. */
const batchHandler = (event: unknown, context: Context) => entry(event, context) as Promise<BatchResponse>;

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  vi.resetModules();
  ({ handler: entry } = await import('../../../handlers/thumbnail/index'));
});

beforeEach(() => {
  s3.reset();
  sqs.reset();
  s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
  s3.on(PutObjectCommand).resolves({ ETag: '"thumb"' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  output = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
});

afterEach(() => {
  for (const spy of output) spy.mockRestore();
});

// The mocks patch the SDK clients' prototypes: undo that for the test files that run after this one in the same process.
afterAll(() => {
  s3.restore();
  sqs.restore();
  vi.unstubAllEnvs();
});

describe('thumbnail handler', () => {
  it('writes an upright 100 px JPEG to the thumbnails bucket under <dir>/<stem>-thumbnail.jpg', async () => {
    serve(await orientedJpeg(600, 800, 6));
    const summary = await handler(
      s3Event({ bucket: ORIGINALS, key: 'a/b.c/my photo.v2.jpg', eTag: 'abc123', sequencer: '0A' }),
      lambdaContext(),
    );

    expect(summary).toEqual({ records: 1, written: 1, deleted: 0, skipped: 0, failed: 0 });
    const [put] = putCalls();
    expect(put).toMatchObject({
      Bucket: THUMBNAILS,
      Key: 'a/b.c/my photo.v2-thumbnail.jpg',
      ContentType: 'image/jpeg',
      IfNoneMatch: '*',
      Metadata: {
        'source-bucket': ORIGINALS,
        'source-key': 'a%2Fb.c%2Fmy%20photo.v2.jpg',
        'source-etag': 'abc123',
        'source-sequencer': '0A',
      },
    });
    const metadata = await sharp(put?.Body as Uint8Array).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 100, height: 133, space: 'srgb' });
    expect(metadata.orientation).toBeUndefined();
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: ORIGINALS,
      Key: 'a/b.c/my photo.v2.jpg',
      IfMatch: '"abc123"',
    });
  });

  it('names the thumbnail of an upper-case .JPG apart from the .jpg one', async () => {
    serve(await photoJpeg(200, 100));
    await handler(
      s3Event({ bucket: ORIGINALS, key: 'coll.JPG', eTag: 'abc123' }, { bucket: ORIGINALS, key: 'coll.jpg', eTag: 'abc123' }),
      lambdaContext(),
    );
    expect(putCalls().map((put) => put.Key)).toEqual(['coll.JPG.thumbnail.jpg', 'coll-thumbnail.jpg']);
  });

  it('logs one structured line per image', async () => {
    serve(await photoJpeg(400, 300));
    await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'abc123' }), lambdaContext());
    const lines = logLines().filter((line) => line['message'] === 'thumbnail written');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      service: 'thumbnail',
      source: { bucket: ORIGINALS, key: 'x.jpg', width: 400, height: 300 },
      outputs: [{ bucket: THUMBNAILS, key: 'x-thumbnail.jpg', width: 100, height: 75 }],
    });
    expect(lines[0]?.['ms']).toMatchObject({ total: expect.any(Number), render: expect.any(Number) });
  });

  it('handles every record in an event', async () => {
    serve(await photoJpeg(200, 100));
    const event = s3Event(
      { bucket: ORIGINALS, key: 'one.jpg', eTag: 'abc123' },
      { bucket: ORIGINALS, key: 'two+three.jpg', eTag: 'abc123' },
    );
    await handler(event, lambdaContext());
    expect(putCalls().map((put) => put.Key)).toEqual(['one-thumbnail.jpg', 'two+three-thumbnail.jpg']);
  });

  it.each([
    ['png', 'UnsupportedFormatError'],
    ['webp', 'UnsupportedFormatError'],
    ['heic', 'HeicNotSupportedError'],
    ['avif', 'UnsupportedFormatError'],
    ['text', 'UnsupportedFormatError'],
    ['empty', 'UnsupportedFormatError'],
  ] as const)('refuses %s bytes named .jpg: writes nothing and records the failure once (%s)', async (kind, errorType) => {
    serve(await NOT_JPEG[kind]());
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'fake.jpg', eTag: 'abc123' }), lambdaContext());
    expect(summary.failed).toBe(1);
    expect(putCalls()).toEqual([]);
    const [record] = failureRecords();
    expect(failureRecords()).toHaveLength(1);
    expect(record).toMatchObject({
      requestContext: { condition: 'PermanentFailure' },
      requestPayload: { Records: [{ s3: { bucket: { name: ORIGINALS }, object: { key: 'fake.jpg' } } }] },
      responsePayload: { errorType, failureClass: 'permanent', bucket: ORIGINALS, key: 'fake.jpg' },
    });
    const logged = logLines().find((line) => line['message'] === 'thumbnail failed');
    expect(logged).toMatchObject({ level: 'ERROR', errorType, source: { key: 'fake.jpg' } });
  });

  it('never writes into the bucket it reads from', async () => {
    const summary = await handler(s3Event({ bucket: THUMBNAILS, key: 'x-thumbnail.jpg' }), lambdaContext());
    expect(summary.failed).toBe(1);
    expect(s3.calls()).toEqual([]);
    expect(failureRecords()[0]?.responsePayload.errorType).toBe('RecursionGuardError');
  });

  it('ignores keys named like its own outputs', async () => {
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x-thumbnail.jpg' }), lambdaContext());
    expect(summary.skipped).toBe(1);
    expect(s3.calls()).toEqual([]);
  });

  it('writes a new thumbnail with one GET and one PUT (If-None-Match), and no HEAD', async () => {
    serve(await photoJpeg(200, 100));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'abc123', sequencer: '0A' }), lambdaContext());
    expect(summary.written).toBe(1);
    expect(s3.commandCalls(HeadObjectCommand)).toEqual([]);
    expect(putCalls()).toEqual([expect.objectContaining({ IfNoneMatch: '*' })]);
  });

  it('finds a duplicate delivery at its conditional write, and keeps the thumbnail', async () => {
    serve(await photoJpeg(200, 100));
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"t"', Metadata: { 'source-etag': 'abc123', 'source-sequencer': '0A' } });
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'abc123', sequencer: '0A' }), lambdaContext());
    expect(summary.skipped).toBe(1);
    expect(putCalls()).toHaveLength(1);
    expect(logLines().find((line) => line['message'] === 'skipped')).toMatchObject({ reason: 'duplicate' });
  });

  it('never lets an older event replace a newer thumbnail', async () => {
    serve(await photoJpeg(200, 100), 'old');
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"t"', Metadata: { 'source-etag': 'new', 'source-sequencer': '0B' } });
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'old', sequencer: '0A' }), lambdaContext());
    expect(summary.skipped).toBe(1);
    expect(putCalls()).toEqual([expect.objectContaining({ IfNoneMatch: '*' })]);
  });

  it('replaces an older thumbnail only if it is still the one it looked at', async () => {
    serve(await photoJpeg(200, 100), 'new');
    s3.on(PutObjectCommand).rejectsOnce(s3Error('PreconditionFailed', 412)).resolves({ ETag: '"t-new"' });
    s3.on(HeadObjectCommand).resolves({ ETag: '"t-old"', Metadata: { 'source-etag': 'old', 'source-sequencer': '0A' } });
    await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'new', sequencer: '0B' }), lambdaContext());
    expect(putCalls()[1]).toMatchObject({ IfMatch: '"t-old"', Metadata: { 'source-sequencer': '0B' } });
  });

  it('backs off when a newer thumbnail is written concurrently', async () => {
    serve(await photoJpeg(200, 100), 'v1');
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"t2"', Metadata: { 'source-etag': 'v2', 'source-sequencer': '0C' } });
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'v1', sequencer: '0B' }), lambdaContext());
    expect(summary.skipped).toBe(1);
    expect(putCalls()).toHaveLength(1);
  });

  it('skips an event whose original has changed since (a newer event covers it)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'v1', sequencer: '0B' }), lambdaContext());
    expect(summary.skipped).toBe(1);
    expect(putCalls()).toEqual([]);
  });

  it('skips, without a failure record, an original deleted before it was processed (its delete event covers it)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'gone.jpg', eTag: 'v1' }), lambdaContext());
    expect(summary).toMatchObject({ skipped: 1, failed: 0 });
    expect(failureRecords()).toEqual([]);
    expect(logLines().find((line) => line['message'] === 'skipped')).toMatchObject({
      source: { key: 'gone.jpg' },
      reason: expect.stringMatching(/no longer exists/),
    });
  });

  it('records AccessDenied on an original as a permanent failure: the role may list originals, so 403 is a real denial', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'locked.jpg', eTag: 'v1' }), lambdaContext());
    expect(summary.failed).toBe(1);
    expect(failureRecords()[0]?.responsePayload.errorType).toBe('StorageRequestError');
  });

  it('treats 403 on a missing thumbnail as absent (the role may not list the bucket)', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eventName: 'ObjectRemoved:Delete' }), lambdaContext());
    expect(summary).toMatchObject({ skipped: 1, failed: 0 });
    expect(s3.commandCalls(DeleteObjectCommand)).toEqual([]);
  });

  it('records a refused write (AccessDenied on PUT) as a permanent failure', async () => {
    serve(await photoJpeg(200, 100));
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'abc123' }), lambdaContext());
    expect(summary.failed).toBe(1);
    expect(failureRecords()[0]?.responsePayload.errorType).toBe('StorageRequestError');
  });

  it('refuses an object over the byte limit before downloading it', async () => {
    const summary = await handler(s3Event({ bucket: ORIGINALS, key: 'huge.jpg', eTag: 'v1', size: 60 * 1024 * 1024 }), lambdaContext());
    expect(summary.failed).toBe(1);
    expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
    expect(failureRecords()[0]?.responsePayload.errorType).toBe('ObjectTooLargeError');
  });

  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
  ])('throws on %s so Lambda retries, recording nothing', async (name, status) => {
    s3.on(GetObjectCommand).rejects(s3Error(name, status));
    await expect(handler(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'v1' }), lambdaContext())).rejects.toThrow(/failed transiently/);
    expect(failureRecords()).toEqual([]);
  });

  it('when a failure cannot be recorded, logs the record, finishes the other records, then throws so Lambda retries', async () => {
    s3.on(GetObjectCommand, { Key: 'bad.jpg' }).callsFake(async () => ({
      Body: sdkStreamMixin(Readable.from([await NOT_JPEG.png()])),
      ETag: '"abc123"',
    }));
    s3.on(GetObjectCommand, { Key: 'good.jpg' }).callsFake(async () => ({
      Body: sdkStreamMixin(Readable.from([await photoJpeg(200, 100)])),
      ETag: '"abc123"',
    }));
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    const event = s3Event({ bucket: ORIGINALS, key: 'bad.jpg', eTag: 'abc123' }, { bucket: ORIGINALS, key: 'good.jpg', eTag: 'abc123' });
    await expect(handler(event, lambdaContext())).rejects.toThrow(/1 permanent failure\(s\) could not be recorded/);
    expect(putCalls().map((put) => put.Key)).toEqual(['good-thumbnail.jpg']);
    const logged = logLines().find((line) => line['message'] === 'failure could not be recorded: the event will be retried');
    expect(logged).toMatchObject({
      level: 'ERROR',
      reason: 'queue unavailable',
      failureRecord: { responsePayload: { errorType: 'UnsupportedFormatError', key: 'bad.jpg' } },
    });
  });

  it('answers an S3 Batch Operations task (schema 1.0, key URL-encoded): HEADs first, then GET If-Match the current ETag', async () => {
    s3.on(HeadObjectCommand, { Bucket: ORIGINALS }).resolves({ ETag: '"v7"', ContentLength: 1234 });
    serve(await photoJpeg(200, 100), 'v7');
    const response = await batchHandler(
      batchEvent({
        schema: '1.0',
        invocationId: 'inv',
        jobId: 'job',
        tasks: [{ bucket: ORIGINALS, key: 'old photos/a+b.jpg', taskId: 't1' }],
      }),
      lambdaContext(),
    );
    expect(response).toEqual({
      invocationSchemaVersion: '1.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'inv',
      results: [{ taskId: 't1', resultCode: 'Succeeded', resultString: 'written: old photos/a+b-thumbnail.jpg' }],
    });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ Key: 'old photos/a+b.jpg', IfMatch: '"v7"' });
    expect(putCalls()[0]).toMatchObject({ IfNoneMatch: '*', Metadata: { 'source-etag': 'v7' } });
    expect(failureRecords()).toEqual([]);
  });

  it('never throws for a Batch task: S3 throttling is a TemporaryFailure for Batch to retry', async () => {
    s3.on(HeadObjectCommand, { Bucket: ORIGINALS }).rejects(s3Error('SlowDown', 503));
    const response = await batchHandler(
      batchEvent({ schema: '2.0', invocationId: 'inv', jobId: 'job', tasks: [{ bucket: ORIGINALS, key: 'x.jpg', taskId: 't1' }] }),
      lambdaContext(),
    );
    expect(response.results).toEqual([
      { taskId: 't1', resultCode: 'TemporaryFailure', resultString: expect.stringMatching(/SlowDown|503/) },
    ]);
  });

  it('deletes the thumbnail of a deleted original, unless a re-upload is newer', async () => {
    const madeFrom = (key: string, sequencer: string) => ({
      'source-bucket': ORIGINALS,
      'source-key': encodeURIComponent(key),
      'source-sequencer': sequencer,
    });
    s3.on(HeadObjectCommand, { Key: 'a/x-thumbnail.jpg' }).resolves({ ETag: '"t1"', Metadata: madeFrom('a/x.jpg', '0A') });
    s3.on(HeadObjectCommand, { Key: 'a/y-thumbnail.jpg' }).resolves({ ETag: '"t2"', Metadata: madeFrom('a/y.jpg', '0F') });
    s3.on(DeleteObjectCommand).resolves({});
    const event = s3Event(
      { bucket: ORIGINALS, key: 'a/x.jpg', eventName: 'ObjectRemoved:Delete', sequencer: '0B' },
      { bucket: ORIGINALS, key: 'a/y.jpg', eventName: 'ObjectRemoved:Delete', sequencer: '0B' },
    );
    const summary = await handler(event, lambdaContext());
    expect(summary).toMatchObject({ deleted: 1, skipped: 1 });
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: THUMBNAILS, Key: 'a/x-thumbnail.jpg', IfMatch: '"t1"' },
    ]);
  });

  it('keeps a thumbnail whose provenance names another original', async () => {
    s3.on(HeadObjectCommand, { Key: 'coll-thumbnail.jpg' }).resolves({
      ETag: '"t1"',
      Metadata: { 'source-bucket': ORIGINALS, 'source-key': 'coll.JPG', 'source-sequencer': '0A' },
    });
    const summary = await handler(
      s3Event({ bucket: ORIGINALS, key: 'coll.jpg', eventName: 'ObjectRemoved:Delete', sequencer: '0B' }),
      lambdaContext(),
    );
    expect(summary).toMatchObject({ deleted: 0, skipped: 1 });
    expect(s3.commandCalls(DeleteObjectCommand)).toEqual([]);
  });

  it('treats the S3 test event as nothing to do', async () => {
    const summary = await handler({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: ORIGINALS }, lambdaContext());
    expect(summary.records).toBe(0);
    expect(s3.calls()).toEqual([]);
  });

  it('records an event that is not an S3 notification', async () => {
    const summary = await handler({ hello: 'world' }, lambdaContext());
    expect(summary.failed).toBe(1);
    expect(failureRecords()[0]).toMatchObject({ requestPayload: { hello: 'world' }, responsePayload: { errorType: 'InvalidEventError' } });
  });
});

describe('thumbnail handler init', () => {
  it('fails at init with a message naming a missing variable', async () => {
    vi.stubEnv('THUMBNAIL_BUCKET', '');
    vi.resetModules();
    await expect(import('../../../handlers/thumbnail/index')).rejects.toThrow(/THUMBNAIL_BUCKET: is required/);
    vi.stubEnv('THUMBNAIL_BUCKET', THUMBNAILS);
  });

  it('refuses to start when the destination is the trigger bucket', async () => {
    vi.stubEnv('THUMBNAIL_BUCKET', ORIGINALS);
    vi.resetModules();
    await expect(import('../../../handlers/thumbnail/index')).rejects.toThrow(/must differ from SOURCE_BUCKET/);
    vi.stubEnv('THUMBNAIL_BUCKET', THUMBNAILS);
  });
});
