import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { failureQueuePolicy, type QueueSender } from '../policies';

export interface FailureQueueProps {
  readonly queueName: string;
  /** A service that may send to it, for one source only (an EventBridge rule's dead letters). */
  readonly sender?: QueueSender;
}

/** An encrypted, TLS-only queue where failed events end up, with the event and the error, for `make redrive`. */
export class FailureQueue extends Construct {
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, 'queue', {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      // The longest SQS allows: two weeks to notice, fix the cause and redrive.
      messageRetentionSeconds: 1_209_600,
    });
    new SqsQueuePolicy(this, 'policy', {
      queueUrl: this.queue.url,
      policy: JSON.stringify(failureQueuePolicy(this.queue.arn, props.sender)),
    });
  }
}
