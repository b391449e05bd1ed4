import { describe, expect, it } from 'vitest';
import { changesTouchingBucket } from '../../../scripts/plan-summary/adopted-bucket-check';
import type { RawPlan } from '../../../scripts/plan-summary/plan';

const change = (type: string, actions: string[], before: unknown, after: unknown, name = 'x') => ({
  address: `${type}.${name}`,
  mode: 'managed',
  type,
  name,
  change: { actions, before, after },
});

describe('changesTouchingBucket', () => {
  const plan: RawPlan = {
    resource_changes: [
      change('aws_s3_bucket', ['create'], null, { bucket_prefix: 'p-thumbnails-' }, 'thumbnails'),
      change('aws_s3_bucket_policy', ['create'], null, { bucket: 'p-thumbnails-123' }, 'thumbnails'),
      change('aws_lambda_function', ['create'], null, { function_name: 'f', bucket: 'acme' }, 'fn'),
      change('aws_s3_bucket_notification', ['update'], { bucket: 'acme' }, { bucket: 'acme' }, 'notification'),
      change('aws_s3_bucket_versioning', ['delete'], { bucket: 'acme' }, null, 'versioning'),
      change('aws_s3_bucket_inventory', ['no-op'], { bucket: 'acme' }, { bucket: 'acme' }, 'inventory'),
      change('aws_s3_object', ['create'], null, { bucket: 'acme', key: 'x' }, 'object'),
      { ...change('aws_s3_bucket', ['read'], null, { bucket: 'acme' }, 'lookup'), mode: 'data' },
    ],
  };

  it('names every planned change to anything naming the bucket, as the bucket itself or its bucket attribute', () => {
    expect(changesTouchingBucket(plan, 'acme')).toEqual([
      { address: 'aws_lambda_function.fn', type: 'aws_lambda_function', action: 'create' },
      { address: 'aws_s3_bucket_notification.notification', type: 'aws_s3_bucket_notification', action: 'update' },
      { address: 'aws_s3_bucket_versioning.versioning', type: 'aws_s3_bucket_versioning', action: 'delete' },
      { address: 'aws_s3_object.object', type: 'aws_s3_object', action: 'create' },
    ]);
  });

  it('leaves out what the configuration explicitly asks for (the notification, in that delivery), and nothing else', () => {
    expect(changesTouchingBucket(plan, 'acme', ['aws_s3_bucket_notification']).map((touch) => touch.type)).toEqual([
      'aws_lambda_function',
      'aws_s3_bucket_versioning',
      'aws_s3_object',
    ]);
  });

  it('finds a bucket the plan would create under the adopted name', () => {
    expect(
      changesTouchingBucket({ resource_changes: [change('aws_s3_bucket', ['create'], null, { bucket: 'acme' })] }, 'acme'),
    ).toHaveLength(1);
    expect(changesTouchingBucket({}, 'acme')).toEqual([]);
  });
});
