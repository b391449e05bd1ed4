/** Sending failure records to the stack's failure queue. The only importer of SQS. */

import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import type { FailureRecorder } from './failure-record';

/**
 * Send failure records to the stack's failure queue (the function's on-failure destination).
 * The SQS client is loaded and built on the first failure: most invocations never need it, and
 * loading it at init would lengthen every cold start.
 */
export function createSqsFailureRecorder(queueUrl: string, clientConfig: SQSClientConfig): FailureRecorder {
  let sqs: Promise<{ client: SQSClient; SendMessageCommand: typeof import('@aws-sdk/client-sqs').SendMessageCommand }> | undefined;
  return {
    async record(record) {
      sqs ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => ({
        client: new SQSClient(clientConfig),
        SendMessageCommand,
      }));
      const { client, SendMessageCommand } = await sqs;
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
    },
  };
}
