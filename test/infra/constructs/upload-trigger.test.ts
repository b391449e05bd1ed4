import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { describe, expect, it } from 'vitest';
import { UploadTrigger } from '../../../infra/constructs/upload-trigger';
import { refTo, synthConstruct } from '../../support/construct';

function synth(onDelete: boolean, suffixes = ['.jpg']) {
  return synthConstruct((scope) => {
    const bucket = new S3Bucket(scope, 'bucket', {});
    const fn = new LambdaFunction(scope, 'fn', { functionName: 'f', role: 'r' });
    new UploadTrigger(scope, 'trigger', { bucket, function: fn, accountId: '111122223333', suffixes, onDelete });
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

  it('also sends deletes when thumbnails follow deleted originals', () => {
    const rules = synth(true).only('aws_s3_bucket_notification').body['lambda_function'] as { events: string[] }[];
    expect(rules.map((rule) => rule.events)).toEqual([['s3:ObjectCreated:*'], ['s3:ObjectRemoved:*']]);
  });
});
