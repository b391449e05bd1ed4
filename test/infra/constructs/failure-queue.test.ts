import { describe, expect, it } from 'vitest';
import { FailureQueue } from '../../../infra/constructs/failure-queue';
import { refTo, synthConstruct } from '../../support/construct';

describe('FailureQueue', () => {
  const scope = synthConstruct((s) => new FailureQueue(s, 'failures', { queueName: 'p-thumbnail-failures' }));

  it('keeps failed events encrypted for the longest SQS allows', () => {
    expect(scope.only('aws_sqs_queue').body).toMatchObject({
      name: 'p-thumbnail-failures',
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1_209_600,
    });
  });

  it('accepts only TLS requests', () => {
    const policy = scope.only('aws_sqs_queue_policy');
    expect(policy.body['queue_url']).toBe(refTo(scope.only('aws_sqs_queue'), 'url'));
    expect(JSON.parse(policy.body['policy'] as string).Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ]);
  });
});
