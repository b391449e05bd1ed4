import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { describe, expect, it } from 'vitest';
import { AdoptedBucketNotification } from '../../../infra/constructs/adopted-bucket-notification';
import { refTo, synthConstruct } from '../../support/construct';

describe('AdoptedBucketNotification', () => {
  const scope = synthConstruct((s) => {
    const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
    new AdoptedBucketNotification(s, 'notification', {
      bucketName: 'acme',
      bucketArn: 'arn:aws:s3:::acme',
      function: fn,
      accountId: '111122223333',
      idPrefix: 'p-thumbnail-',
      prefix: 'up loads/',
      suffixes: ['.jpg'],
      onDelete: true,
    });
  });
  const notification = () => scope.only('aws_s3_bucket_notification').body;

  it("adds the stack's own rules, named so the next plan knows them, with the prefix as S3 compares it (encoded)", () => {
    expect(notification()['lambda_function']).toEqual([
      expect.objectContaining({
        id: 'p-thumbnail-objectcreated-1',
        events: ['s3:ObjectCreated:*'],
        filter_prefix: 'up+loads/',
        filter_suffix: '.jpg',
      }),
      expect.objectContaining({
        id: 'p-thumbnail-objectremoved-1',
        events: ['s3:ObjectRemoved:*'],
        filter_prefix: 'up+loads/',
        filter_suffix: '.jpg',
      }),
    ]);
  });

  it('carries every existing configuration over, verbatim, from the variable make plan fills in', () => {
    const body = notification();
    expect(body['eventbridge']).toBe('${var.adopted_bucket_notifications.eventbridge}');
    const dynamic = body['dynamic'] as Record<string, { for_each: string; content: Record<string, string> }>;
    expect(Object.keys(dynamic).sort()).toEqual(['lambda_function', 'queue', 'topic']);
    expect(dynamic['queue']).toEqual({
      for_each: '${var.adopted_bucket_notifications.queue}',
      content: {
        id: '${queue.value.id}',
        queue_arn: '${queue.value.queue_arn}',
        events: '${queue.value.events}',
        filter_prefix: '${queue.value.filter_prefix}',
        filter_suffix: '${queue.value.filter_suffix}',
      },
    });
  });

  it('refuses to be destroyed by plain terraform (that writes an empty configuration): make destroy writes back what was there', () => {
    expect(notification()['lifecycle']).toEqual({ prevent_destroy: true });
  });

  it('lets only S3, for this bucket in this account, invoke the function', () => {
    expect(scope.only('aws_lambda_permission').body).toMatchObject({
      principal: 's3.amazonaws.com',
      source_arn: 'arn:aws:s3:::acme',
      source_account: '111122223333',
      function_name: refTo(scope.only('aws_lambda_function'), 'function_name'),
    });
    expect(notification()['depends_on']).toEqual([scope.only('aws_lambda_permission').address]);
  });
});
