import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalSqs, startLocalSqs } from '../../scripts/local/sqs-server';
import { redrive, redriveFailed, summarize } from '../../scripts/redrive';
import { s3Event } from '../support/events';
import { tempDir } from '../support/tmp';

const record = (key: string, errorType: string, condition = 'RetriesExhausted') =>
  JSON.stringify({
    requestContext: { condition },
    requestPayload: s3Event({ bucket: 'b', key }),
    responsePayload: { errorType, errorMessage: 'x' },
  });

describe('summarize', () => {
  it('reads the event, the error and the key from a failure record', () => {
    expect(summarize(record('my photo.jpg', 'TransientStorageError'))).toMatchObject({
      errorType: 'TransientStorageError',
      condition: 'RetriesExhausted',
      key: 'my photo.jpg',
      payload: { Records: [expect.objectContaining({ eventName: 'ObjectCreated:Put' })] },
    });
  });

  it('lists a record whose key is not valid URL encoding (the handler records such events) under its raw key', () => {
    // The handler refuses the event before it knows a key, so the record carries none of its own.
    const body = JSON.stringify({
      requestContext: { condition: 'PermanentFailure' },
      requestPayload: {
        Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'bad%E0%A4%A.jpg', sequencer: '0A' } } }],
      },
      responsePayload: { errorType: 'InvalidEventError', errorMessage: 'x' },
    });
    expect(summarize(body)).toMatchObject({ errorType: 'InvalidEventError', key: 'bad%E0%A4%A.jpg' });
  });

  it.each(['not json', '{"hello":1}'])('refuses %s', (body) => {
    expect(summarize(body)).toBeUndefined();
  });
});

describe('redrive', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let url: string;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    sqs = await startLocalSqs({ directory: tempDir('redrive'), queues: ['failures'] });
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    url = `${sqs.endpoint}/000000000000/failures`;
    closers.push(async () => {
      client.destroy();
      await sqs.close();
    });
    // b.jpg's event was delivered twice, and both deliveries were recorded.
    for (const body of [
      record('a.jpg', 'TransientStorageError'),
      record('b.jpg', 'UnsupportedFormatError', 'PermanentFailure'),
      'garbage',
      record('b.jpg', 'UnsupportedFormatError', 'PermanentFailure'),
    ]) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    }
  });

  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('lists what is waiting in a dry run, and changes nothing', async () => {
    const replayed: unknown[] = [];
    const report = await redrive(
      client,
      url,
      async (event) => {
        replayed.push(event);
        return 'accepted';
      },
      { dryRun: true, limit: Infinity },
    );
    expect(report.waiting.map((r) => [r.key, r.errorType])).toEqual([
      ['a.jpg', 'TransientStorageError'],
      ['b.jpg', 'UnsupportedFormatError'],
    ]);
    expect(report.unreadable).toBe(1);
    expect(report.duplicates).toBe(1);
    expect(replayed).toEqual([]);
    expect(sqs.messages('failures')).toHaveLength(4);
  });

  it('replays each recorded event once, removes its records once accepted, and leaves what it cannot read', async () => {
    const replayed: unknown[] = [];
    const progress: number[] = [];
    const report = await redrive(
      client,
      url,
      async (event) => {
        replayed.push(event);
        return 'accepted';
      },
      {
        dryRun: false,
        limit: Infinity,
        onProgress: (done) => progress.push(done),
      },
    );
    expect(report.replayed.map((r) => r.key)).toEqual(['a.jpg', 'b.jpg']);
    expect(replayed).toEqual([s3Event({ bucket: 'b', key: 'a.jpg' }), s3Event({ bucket: 'b', key: 'b.jpg' })]);
    expect(report.duplicates).toBe(1);
    expect(sqs.messages('failures').map((m) => m.body)).toEqual(['garbage']);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('keeps a record whose replay is refused', async () => {
    const report = await redrive(
      client,
      url,
      async () => {
        throw new Error('throttled');
      },
      { dryRun: false, limit: Infinity },
    );
    expect(report.failedToReplay).toBe(3);
    expect(sqs.messages('failures')).toHaveLength(4);
  });

  it('stops at the limit', async () => {
    const report = await redrive(client, url, async () => 'accepted', { dryRun: false, limit: 1 });
    expect(report.replayed).toHaveLength(1);
  });

  it('leaves a failure recorded again during the run for the next run, and says the replay failed', async () => {
    const report = await redrive(
      client,
      url,
      async (event) => {
        // The handler refuses the upload again and records it again, as it would.
        await client.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: JSON.stringify({
              requestContext: { condition: 'PermanentFailure' },
              requestPayload: event,
              responsePayload: { errorType: 'UnsupportedFormatError' },
            }),
          }),
        );
        return 'failed';
      },
      { dryRun: false, limit: Infinity },
    );
    expect(report.replayed.map((r) => [r.key, r.outcome])).toEqual([
      ['a.jpg', 'failed'],
      ['b.jpg', 'failed'],
    ]);
    expect(redriveFailed(report)).toBe(true);
    // The two records written during the run, and the one that is not a failure record.
    expect(sqs.messages('failures')).toHaveLength(3);
  });
});
