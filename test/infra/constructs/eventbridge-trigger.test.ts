import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { describe, expect, it } from 'vitest';
import { EventBridgeTrigger } from '../../../infra/constructs/eventbridge-trigger';
import { refTo, synthConstruct } from '../../support/construct';

const synth = (prefix?: string) =>
  synthConstruct((s) => {
    const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
    new EventBridgeTrigger(s, 'trigger', {
      ruleName: 'p-uploads',
      deadLetterQueueName: 'p-undelivered-uploads',
      bucketName: 'acme',
      function: fn,
      suffixes: ['.jpg'],
      onDelete: true,
      ...(prefix ? { prefix } : {}),
    });
  });

describe('EventBridgeTrigger', () => {
  it("selects the bucket's created and deleted objects by suffix in any case, in a rule of the stack's own", () => {
    const rule = synth().only('aws_cloudwatch_event_rule');
    expect(rule.body['name']).toBe('p-uploads');
    expect(JSON.parse(String(rule.body['event_pattern']))).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created', 'Object Deleted'],
      detail: { bucket: { name: ['acme'] }, object: { key: [{ suffix: { 'equals-ignore-case': '.jpg' } }] } },
    });
  });

  it('with a prefix, matches every spelling of the suffix under it (EventBridge cannot AND a prefix and a suffix)', () => {
    const pattern = JSON.parse(String(synth('uploads/').only('aws_cloudwatch_event_rule').body['event_pattern']));
    expect(pattern.detail.object.key).toHaveLength(8);
    expect(pattern.detail.object.key).toContainEqual({ wildcard: 'uploads/*.JPG' });
    expect(pattern.detail.object.key).toContainEqual({ wildcard: 'uploads/*.jPg' });
  });

  it("stops the plan unless EventBridge is on for the bucket, with the owner's safe way to turn it on", () => {
    const scope = synth();
    expect(scope.json['variable' as keyof typeof scope.json]).toMatchObject({
      adopted_bucket_eventbridge: { type: 'bool', nullable: false },
    });
    const precondition = (
      scope.only('aws_cloudwatch_event_rule').body['lifecycle'] as { precondition: { condition: string; error_message: string }[] }
    ).precondition[0];
    expect(precondition?.condition).toBe('${var.adopted_bucket_eventbridge}');
    expect(precondition?.error_message).toMatch(/aws s3api get-bucket-notification-configuration --bucket acme > notification.json/);
    expect(precondition?.error_message).toMatch(/"EventBridgeConfiguration": \{\}/);
    expect(precondition?.error_message).toMatch(/Nothing was changed/);
  });

  it('targets the function with a retry policy and an encrypted dead-letter queue only this rule may send to', () => {
    const scope = synth();
    const rule = scope.only('aws_cloudwatch_event_rule');
    const queue = scope.only('aws_sqs_queue');
    expect(scope.only('aws_cloudwatch_event_target').body).toMatchObject({
      rule: refTo(rule, 'name'),
      arn: refTo(scope.only('aws_lambda_function'), 'arn'),
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
      dead_letter_config: { arn: refTo(queue, 'arn') },
    });
    expect(queue.body).toMatchObject({ name: 'p-undelivered-uploads', sqs_managed_sse_enabled: true });
    const policy = JSON.parse(String(scope.only('aws_sqs_queue_policy').body['policy']));
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': refTo(rule, 'arn') } },
      }),
    );
  });

  it('lets only EventBridge, for this rule, invoke the function', () => {
    const scope = synth();
    expect(scope.only('aws_lambda_permission').body).toMatchObject({
      principal: 'events.amazonaws.com',
      source_arn: refTo(scope.only('aws_cloudwatch_event_rule'), 'arn'),
      function_name: refTo(scope.only('aws_lambda_function'), 'function_name'),
    });
  });
});
