/**
 * A minimal SQS endpoint on loopback, for the local runner's failure queue: the four actions this
 * project uses (SendMessage, ReceiveMessage, DeleteMessage, GetQueueAttributes) in SQS's JSON
 * protocol, which @aws-sdk/client-sqs speaks. npm has no maintained SQS emulator (ElasticMQ needs a
 * JVM and a download), so this stays deliberately small. Each queue is a JSON-lines file a person can
 * read: one message per line, the body parsed when it is JSON.
 */

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';

export interface StoredMessage {
  readonly messageId: string;
  readonly sentAt: string;
  readonly body: string;
  receiveCount: number;
  /** Epoch ms until which a received message stays hidden. */
  invisibleUntil: number;
  receiptHandle?: string;
}

export interface LocalSqs {
  readonly endpoint: string;
  /** The JSON-lines file holding a queue's messages. */
  fileOf(queueName: string): string;
  /** Messages currently stored (visible or not). */
  messages(queueName: string): readonly StoredMessage[];
  close(): Promise<void>;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startLocalSqs(options: { directory: string; queues: readonly string[]; port?: number }): Promise<LocalSqs> {
  mkdirSync(options.directory, { recursive: true });
  const queues = new Map<string, StoredMessage[]>();
  const fileOf = (name: string) => join(options.directory, `${name}.jsonl`);

  const load = (name: string): StoredMessage[] => {
    const file = fileOf(name);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const stored = JSON.parse(line) as { messageId: string; sentAt: string; body: unknown; receiveCount?: number };
        return {
          messageId: stored.messageId,
          sentAt: stored.sentAt,
          body: typeof stored.body === 'string' ? stored.body : JSON.stringify(stored.body),
          receiveCount: stored.receiveCount ?? 0,
          invisibleUntil: 0,
        };
      });
  };
  const save = (name: string) => {
    const lines = (queues.get(name) ?? []).map((message) => {
      let body: unknown = message.body;
      try {
        body = JSON.parse(message.body);
      } catch {
        // not JSON: keep the text
      }
      return JSON.stringify({ messageId: message.messageId, sentAt: message.sentAt, receiveCount: message.receiveCount, body });
    });
    writeFileSync(fileOf(name), lines.map((line) => `${line}\n`).join(''));
  };
  for (const name of options.queues) {
    queues.set(name, load(name));
    save(name);
  }

  const queueOf = (input: Record<string, unknown>) => {
    const url = String(input['QueueUrl'] ?? '');
    const name = url.split('/').pop() ?? '';
    const messages = queues.get(name);
    if (!messages) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${url}`);
    return { name, messages };
  };

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage(input) {
      const { name, messages } = queueOf(input);
      const body = String(input['MessageBody'] ?? '');
      if (body === '') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
      const message: StoredMessage = {
        messageId: randomUUID(),
        sentAt: new Date().toISOString(),
        body,
        receiveCount: 0,
        invisibleUntil: 0,
      };
      messages.push(message);
      save(name);
      return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
    },
    ReceiveMessage(input) {
      const { name, messages } = queueOf(input);
      const max = Math.min(Number(input['MaxNumberOfMessages'] ?? 1), 10);
      const visibility = Number(input['VisibilityTimeout'] ?? 30) * 1000;
      const now = Date.now();
      const received = messages.filter((message) => message.invisibleUntil <= now).slice(0, max);
      for (const message of received) {
        message.receiveCount += 1;
        message.invisibleUntil = now + visibility;
        message.receiptHandle = randomUUID();
      }
      save(name);
      return {
        Messages: received.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: md5(message.body),
          Body: message.body,
          Attributes: { ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: String(Date.parse(message.sentAt)) },
        })),
      };
    },
    DeleteMessage(input) {
      const { name, messages } = queueOf(input);
      const index = messages.findIndex((message) => message.receiptHandle === input['ReceiptHandle']);
      if (index === -1) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      messages.splice(index, 1);
      save(name);
      return {};
    },
    GetQueueAttributes(input) {
      const { messages } = queueOf(input);
      const now = Date.now();
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(messages.filter((message) => message.invisibleUntil <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(messages.filter((message) => message.invisibleUntil > now).length),
        },
      };
    },
  };

  const respond = (response: ServerResponse, status: number, payload: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(payload));
  };

  const server = createServer(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AmazonSQS\./, '')];
      if (!action) throw new SqsError('InvalidAction', `The action ${target || '(none)'} is not valid for this endpoint.`);
      const body = await text(request);
      respond(response, 200, action(body ? (JSON.parse(body) as Record<string, unknown>) : {}));
    } catch (error) {
      const sqsError = error instanceof SqsError ? error : new SqsError('InternalError', String(error), 500);
      respond(response, sqsError.status, { __type: `com.amazonaws.sqs#${sqsError.code}`, message: sqsError.message });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    fileOf,
    messages: (name) => queues.get(name) ?? [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
