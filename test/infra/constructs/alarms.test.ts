import { describe, expect, it } from 'vitest';
import { PipelineAlarms } from '../../../infra/constructs/alarms';
import { synthConstruct } from '../../support/construct';

const synth = (notificationTopicArn?: string) =>
  synthConstruct(
    (scope) =>
      new PipelineAlarms(scope, 'alarms', {
        namePrefix: 'p',
        functionName: 'p-thumbnail',
        failureQueueName: 'p-failures',
        errorThreshold: 3,
        ...(notificationTopicArn ? { notificationTopicArn } : {}),
      }),
  );

describe('PipelineAlarms', () => {
  it('alarms on function errors, throttles and recorded failures', () => {
    const alarms = synth()
      .all('aws_cloudwatch_metric_alarm')
      .map((alarm) => alarm.body);
    expect(alarms.map((alarm) => [alarm['alarm_name'], alarm['namespace'], alarm['metric_name'], alarm['threshold']]).sort()).toEqual([
      ['p-thumbnail-errors', 'AWS/Lambda', 'Errors', 3],
      ['p-thumbnail-failures-waiting', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', 1],
      ['p-thumbnail-throttles', 'AWS/Lambda', 'Throttles', 1],
    ]);
    expect(alarms.every((alarm) => alarm['treat_missing_data'] === 'notBreaching' && alarm['alarm_actions'] === undefined)).toBe(true);
  });

  it('notifies the topic, when one is given, on alarm and on recovery', () => {
    for (const alarm of synth('arn:aws:sns:eu-west-1:111122223333:ops').all('aws_cloudwatch_metric_alarm')) {
      expect(alarm.body).toMatchObject({
        alarm_actions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
        ok_actions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
      });
    }
  });
});

describe('PipelineAlarms with an EventBridge dead-letter queue', () => {
  it('alarms on one undelivered event, as on one recorded failure', () => {
    const scope = synthConstruct(
      (s) =>
        new PipelineAlarms(s, 'alarms', {
          namePrefix: 'p',
          functionName: 'p-thumbnail',
          failureQueueName: 'p-failures',
          deadLetterQueueName: 'p-undelivered-uploads',
          errorThreshold: 1,
        }),
    );
    const alarm = scope.all('aws_cloudwatch_metric_alarm').find((entry) => entry.body['alarm_name'] === 'p-thumbnail-undelivered-events');
    expect(alarm?.body).toMatchObject({ namespace: 'AWS/SQS', dimensions: { QueueName: 'p-undelivered-uploads' }, threshold: 1 });
  });
});
