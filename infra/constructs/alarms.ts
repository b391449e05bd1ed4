import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';

export interface PipelineAlarmsProps {
  readonly namePrefix: string;
  readonly functionName: string;
  readonly failureQueueName: string;
  readonly errorThreshold: number;
  readonly notificationTopicArn?: string;
}

/** CloudWatch alarms on what needs a person: function errors, throttles, and recorded failures. */
export class PipelineAlarms extends Construct {
  readonly errors: CloudwatchMetricAlarm;
  readonly throttles: CloudwatchMetricAlarm;
  readonly failures: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const actions = props.notificationTopicArn ? { alarmActions: [props.notificationTopicArn], okActions: [props.notificationTopicArn] } : {};
    const lambda = (metric: string, threshold: number, description: string) => ({
      namespace: 'AWS/Lambda',
      metricName: metric,
      dimensions: { FunctionName: props.functionName },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmDescription: description,
      ...actions,
    });
    this.errors = new CloudwatchMetricAlarm(this, 'errors', {
      alarmName: `${props.namePrefix}-thumbnail-errors`,
      ...lambda('Errors', props.errorThreshold, 'The thumbnail function threw (transient failures Lambda will retry).'),
    });
    this.throttles = new CloudwatchMetricAlarm(this, 'throttles', {
      alarmName: `${props.namePrefix}-thumbnail-throttles`,
      ...lambda('Throttles', 1, 'Invocations were throttled: reserved or account concurrency is exhausted.'),
    });
    this.failures = new CloudwatchMetricAlarm(this, 'failure-queue-depth', {
      alarmName: `${props.namePrefix}-thumbnail-failures-waiting`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: props.failureQueueName },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmDescription: 'Uploads failed and are recorded in the failure queue: read them, fix the cause, run `make redrive`.',
      ...actions,
    });
  }
}
