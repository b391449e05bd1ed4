import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { failureQueuePolicy } from '../policies';

export interface FailureQueueProps {
  readonly queueName: string;
}

/** The encrypted queue where every failed upload ends up, with the event and the error, for `make redrive`. */
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
    new SqsQueuePolicy(this, 'policy', { queueUrl: this.queue.url, policy: JSON.stringify(failureQueuePolicy(this.queue.arn)) });
  }
}

export interface AsyncInvokeProps {
  readonly function: LambdaFunction;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly onFailureArn: string;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Lambda's own retries for asynchronous (S3) invocations, and where an event goes when they run out. */
export class AsyncInvoke extends Construct {
  readonly config: LambdaFunctionEventInvokeConfig;

  constructor(scope: Construct, id: string, props: AsyncInvokeProps) {
    super(scope, id);
    this.config = new LambdaFunctionEventInvokeConfig(this, 'config', {
      functionName: props.function.functionName,
      maximumRetryAttempts: props.maximumRetryAttempts,
      maximumEventAgeInSeconds: props.maximumEventAgeSeconds,
      destinationConfig: { onFailure: { destination: props.onFailureArn } },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
