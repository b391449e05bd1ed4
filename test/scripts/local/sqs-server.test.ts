import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, startLocalSqs } from '../../../scripts/local/sqs-server';
import { tempDir } from '../../support/tmp';

const dir = tempDir('sqs');
let sqs: LocalSqs;
let client: SQSClient;
let url: string;

beforeAll(async () => {
  sqs = await startLocalSqs({ directory: dir, queues: ['failures'] });
  client = new SQSClient({ endpoint: sqs.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  url = `${sqs.endpoint}/000000000000/failures`;
});

afterAll(async () => {
  client.destroy();
  await sqs.close();
});

describe('local SQS (used with the real @aws-sdk/client-sqs)', () => {
  it('stores sent messages in a readable JSON-lines file', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ hello: 'world' }) }));
    const lines = readFileSync(join(dir, 'failures.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([expect.objectContaining({ body: { hello: 'world' }, receiveCount: 0 })]);
  });

  it('receives, hides and deletes messages (the SDK checks the MD5s)', async () => {
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['{"hello":"world"}']);
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(again.Messages ?? []).toEqual([]);
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }));
    expect(sqs.messages('failures')).toEqual([]);
  });

  it('answers an unknown queue with QueueDoesNotExist-style errors', async () => {
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope`, MessageBody: 'x' }))).rejects.toThrow(
      /does not exist/,
    );
  });

  it('keeps messages across restarts', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    await sqs.close();
    sqs = await startLocalSqs({ directory: dir, queues: ['failures'] });
    expect(sqs.messages('failures').map((m) => m.body)).toEqual(['kept']);
    client.destroy();
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    url = `${sqs.endpoint}/000000000000/failures`;
  });
});
