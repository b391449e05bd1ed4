import { join } from 'node:path';
import {
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { describe, expect } from 'vitest';
import { startLocalS3 } from '../../../scripts/local/s3-server';
import { test } from '../../support/tmp';

const CONFIGURATION = {
  EventBridgeConfiguration: {},
  LambdaFunctionConfigurations: [
    {
      Id: 'scan',
      LambdaFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scan',
      Events: ['s3:ObjectCreated:*' as const],
      Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'in/' }] } },
    },
  ],
};

describe('the local S3 keeps what an adopted bucket is asked', () => {
  test('a notification configuration, as written, across a restart; its region; no bucket, no configuration', async ({ tmp }) => {
    const start = () =>
      startLocalS3({ directory: join(tmp, 's3'), configDirectory: join(tmp, 'config'), buckets: ['acme'], region: 'eu-west-1' });
    let s3 = await start();
    let client = s3.client('eu-west-1');
    try {
      expect(
        (await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'acme' }))).LambdaFunctionConfigurations,
      ).toBeUndefined();
      await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'acme', NotificationConfiguration: CONFIGURATION }));
      expect((await client.send(new HeadBucketCommand({ Bucket: 'acme' }))).BucketRegion).toBe('eu-west-1');
      expect((await client.send(new GetBucketLocationCommand({ Bucket: 'acme' }))).LocationConstraint).toBe('eu-west-1');
      await expect(client.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'nope' }))).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });
    } finally {
      client.destroy();
      await s3.close();
    }
    s3 = await start();
    client = s3.client('eu-west-1');
    try {
      const { $metadata: _, ...kept } = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'acme' }));
      expect(kept).toEqual(CONFIGURATION);
    } finally {
      client.destroy();
      await s3.close();
    }
  });
});
