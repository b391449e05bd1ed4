import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';

export interface PipelineAlarmsProps {
  readonly namePrefix: string;
  readonly functionName: string;
  readonly failureQueueName: string;
  /** An EventBridge rule's dead-letter queue (adopted bucket, EventBridge delivery): alarmed as the failure queue is. */
  readonly deadLetterQueueName?: string;
  readonly errorThreshold: number;
  readonly notificationTopicArn?: string;
}

/** CloudWatch alarms on what needs a person: function errors, throttles, and recorded failures. */
export class PipelineAlarms extends Construct {
  readonly errors: CloudwatchMetricAlarm;
  readonly throttles: CloudwatchMetricAlarm;
  readonly failures: CloudwatchMetricAlarm;
  readonly deadLetters: CloudwatchMetricAlarm | undefined;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const actions = props.notificationTopicArn
      ? { alarmActions: [props.notificationTopicArn], okActions: [props.notificationTopicArn] }
      : {};
    // Every alarm: one 5-minute period at or over the threshold; no data is no trouble.
    const alarm = (
      id: string,
      name: string,
      metric: { namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string },
      threshold: number,
      description: string,
    ) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${props.namePrefix}-${name}`,
        ...metric,
        period: 300,
        evaluationPeriods: 1,
        threshold,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmDescription: description,
        ...actions,
      });
    const lambda = (metricName: string) => ({
      namespace: 'AWS/Lambda',
      metricName,
      dimensions: { FunctionName: props.functionName },
      statistic: 'Sum',
    });
    this.errors = alarm(
      'errors',
      'thumbnail-errors',
      lambda('Errors'),
      props.errorThreshold,
      'The thumbnail function threw (transient failures Lambda will retry).',
    );
    this.throttles = alarm(
      'throttles',
      'thumbnail-throttles',
      lambda('Throttles'),
      1,
      'Invocations were throttled: reserved or account concurrency is exhausted.',
    );
    const waiting = (queueName: string) => ({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
    });
    this.failures = alarm(
      'failure-queue-depth',
      'thumbnail-failures-waiting',
      waiting(props.failureQueueName),
      1,
      'Uploads failed and are recorded in the failure queue: read them, fix the cause, run `make redrive`.',
    );
    this.deadLetters =
      props.deadLetterQueueName === undefined
        ? undefined
        : alarm(
            'dead-letter-queue-depth',
            'thumbnail-undelivered-events',
            waiting(props.deadLetterQueueName),
            1,
            'EventBridge could not deliver upload events to the function for a day (permission, throttling): they wait in the dead-letter queue; fix the cause, then run `make redrive` (it replays this queue too).',
          );
  }
}
