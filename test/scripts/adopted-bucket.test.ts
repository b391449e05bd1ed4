import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { StackConfig } from '../../infra/config';
import {
  AdoptedBucketError,
  adoptedBucketVariables,
  readAdoptedBucket,
  readNotifications,
  releaseAdoptedNotifications,
  writeAdoptedBucketVariables,
} from '../../scripts/adopted-bucket';
import { type LocalS3, startLocalS3 } from '../../scripts/local/s3-server';
import { devConfig } from '../support/stack';
import { tempDir, test } from '../support/tmp';

const BUCKET = 'acme-photo-uploads';
const SCAN = {
  Id: 'virus-scan',
  LambdaFunctionArn: 'arn:aws:lambda:ap-northeast-1:111122223333:function:scan',
  Events: ['s3:ObjectCreated:*' as const],
};
const PDF = {
  Id: 'pdf-index',
  QueueArn: 'arn:aws:sqs:ap-northeast-1:111122223333:pdf',
  Events: ['s3:ObjectCreated:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'suffix' as const, Value: '.pdf' }] } },
};
const OURS = {
  Id: 'thumbnails-dev-thumbnail-objectcreated-1',
  LambdaFunctionArn: 'arn:aws:lambda:ap-northeast-1:111122223333:function:thumbnails-dev-thumbnail',
  Events: ['s3:ObjectCreated:*' as const],
  Filter: {
    Key: {
      FilterRules: [
        { Name: 'prefix' as const, Value: 'uploads/' },
        { Name: 'suffix' as const, Value: '.jpg' },
      ],
    },
  },
};

let s3: LocalS3;
let client: S3Client;
const dir = tempDir('adopted-bucket');
beforeAll(async () => {
  s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: [BUCKET], region: 'ap-northeast-1' });
  client = s3.client('ap-northeast-1');
});
afterAll(async () => {
  client?.destroy();
  await s3?.close();
});

const configure = (configuration: object) =>
  client.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: configuration }));
const adopted = (originals: Record<string, unknown> = {}): StackConfig =>
  devConfig({ originals: { existingBucket: BUCKET, prefix: 'uploads/', ...originals } });

describe('readAdoptedBucket', () => {
  test('reads the region and the notification configuration, and says plainly when the bucket is not there', async () => {
    await configure({ LambdaFunctionConfigurations: [SCAN] });
    const state = await readAdoptedBucket(client, BUCKET);
    expect(state.region).toBe('ap-northeast-1');
    expect(state.notifications.LambdaFunctionConfigurations?.map((entry) => entry.Id)).toEqual(['virus-scan']);
    await expect(readAdoptedBucket(client, 'no-such-bucket')).rejects.toThrow(/bucket no-such-bucket does not exist.*Nothing was changed/);
  });
});

describe('adoptedBucketVariables, delivery "eventbridge"', () => {
  test("stops while EventBridge is off, printing the owner's safe read-add-write to turn it on", async () => {
    await configure({ LambdaFunctionConfigurations: [SCAN] });
    const error = await readAdoptedBucket(client, BUCKET).then((state) => {
      try {
        adoptedBucketVariables(adopted(), state);
      } catch (thrown) {
        return thrown as Error;
      }
      return undefined;
    });
    expect(error).toBeInstanceOf(AdoptedBucketError);
    expect(error?.message).toMatch(/EventBridge is off for bucket acme-photo-uploads/);
    expect(error?.message).toMatch(/get-bucket-notification-configuration --bucket acme-photo-uploads/);
    expect(error?.message).toMatch(/put-bucket-notification-configuration --bucket acme-photo-uploads/);
  });

  test('goes on once it is on, and writes what terraform reads into the stack folder', async ({ tmp }) => {
    await configure({ LambdaFunctionConfigurations: [SCAN], EventBridgeConfiguration: {} });
    const variables = adoptedBucketVariables(adopted(), await readAdoptedBucket(client, BUCKET));
    expect(variables).toEqual({ adopted_bucket_eventbridge: true });
    const path = writeAdoptedBucketVariables(tmp, variables);
    expect(path && JSON.parse(readFileSync(path, 'utf8'))).toEqual(variables);
    expect(writeAdoptedBucketVariables(tmp, {})).toBeUndefined();
  });

  test('stops when the bucket is in another region than the stack', () => {
    expect(() => adoptedBucketVariables(adopted(), { region: 'eu-west-1', notifications: { EventBridgeConfiguration: {} } })).toThrow(
      /is in eu-west-1, but the stack is in ap-northeast-1/,
    );
  });
});

describe('adoptedBucketVariables, delivery "notification"', () => {
  test("carries the bucket's other notifications over, and leaves its own earlier entries to the stack", async () => {
    await configure({ LambdaFunctionConfigurations: [OURS], QueueConfigurations: [PDF] });
    const variables = adoptedBucketVariables(adopted({ delivery: 'notification' }), await readAdoptedBucket(client, BUCKET));
    expect(variables['adopted_bucket_notifications']).toMatchObject({
      eventbridge: false,
      lambda_function: [],
      queue: [{ id: 'pdf-index' }],
    });
  });

  test("refuses, naming both, an existing notification that would overlap the stack's own", async () => {
    await configure({ LambdaFunctionConfigurations: [SCAN], QueueConfigurations: [PDF] });
    const state = await readAdoptedBucket(client, BUCKET);
    expect(() => adoptedBucketVariables(adopted({ delivery: 'notification' }), state)).toThrow(
      /already has notifications that would overlap[\s\S]*"virus-scan" lambda function arn:aws:lambda:ap-northeast-1:111122223333:function:scan on s3:ObjectCreated:\*/,
    );
  });
});

describe('releaseAdoptedNotifications', () => {
  test("puts back the bucket's configuration without the stack's entries", async () => {
    await configure({ LambdaFunctionConfigurations: [OURS, SCAN], QueueConfigurations: [PDF], EventBridgeConfiguration: {} });
    await releaseAdoptedNotifications(client, adopted({ delivery: 'notification' }));
    const after = await readNotifications(client, BUCKET);
    expect(after.LambdaFunctionConfigurations?.map((entry) => entry.Id)).toEqual(['virus-scan']);
    expect(after.QueueConfigurations?.map((entry) => entry.Id)).toEqual(['pdf-index']);
    expect(after.EventBridgeConfiguration).toEqual({});
  });

  test('does nothing for an EventBridge stack, which never wrote on the bucket', async () => {
    expect(await releaseAdoptedNotifications(client, adopted())).toBeUndefined();
    expect(existsSync(dir)).toBe(true);
  });
});
