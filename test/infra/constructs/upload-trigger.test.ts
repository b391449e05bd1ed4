import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { describe, expect, it } from 'vitest';
import { UploadTrigger } from '../../../infra/constructs/upload-trigger';
import { refTo, synthConstruct } from '../../support/construct';

function synth(onDelete: boolean, suffixes = ['.jpg'], prefix?: string) {
  return synthConstruct((scope) => {
    const bucket = new S3Bucket(scope, 'bucket', {});
    const fn = new LambdaFunction(scope, 'fn', { functionName: 'f', role: 'r' });
    new UploadTrigger(scope, 'trigger', {
      bucket,
      function: fn,
      accountId: '111122223333',
      suffixes,
      onDelete,
      ...(prefix ? { prefix } : {}),
    });
  });
}

describe('UploadTrigger', () => {
  it('lets only S3, for this bucket in this account, invoke the function', () => {
    const scope = synth(false);
    expect(scope.only('aws_lambda_permission').body).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      function_name: refTo(scope.only('aws_lambda_function'), 'function_name'),
      source_arn: refTo(scope.only('aws_s3_bucket'), 'arn'),
      source_account: '111122223333',
    });
  });

  it('notifies for each suffix, only once the permission exists', () => {
    const scope = synth(false, ['.jpg', '.JPG']);
    const notification = scope.only('aws_s3_bucket_notification');
    expect(notification.body['depends_on']).toEqual([scope.only('aws_lambda_permission').address]);
    expect(notification.body['lambda_function']).toEqual(
      ['.jpg', '.JPG'].map((suffix) => ({
        lambda_function_arn: refTo(scope.only('aws_lambda_function'), 'arn'),
        events: ['s3:ObjectCreated:*'],
        filter_suffix: suffix,
      })),
    );
  });

  it('filters by the prefix as S3 compares it, URL-encoded', () => {
    const rules = synth(false, ['.jpg'], 'my photos/').only('aws_s3_bucket_notification').body['lambda_function'] as {
      filter_prefix: string;
    }[];
    expect(rules.map((rule) => rule.filter_prefix)).toEqual(['my+photos/']);
  });

  it('also sends deletes when thumbnails follow deleted originals', () => {
    const rules = synth(true).only('aws_s3_bucket_notification').body['lambda_function'] as { events: string[] }[];
    expect(rules.map((rule) => rule.events)).toEqual([['s3:ObjectCreated:*'], ['s3:ObjectRemoved:*']]);
  });
});
