/**
 * An adopted bucket on the local S3, as a team would bring it: photos already in it (under the
 * uploads prefix, and elsewhere), EventBridge on when the stack delivers through it, and a
 * notification of another consumer the stack must leave as it is. Created once, on the first run
 * (or with --fresh); kept across runs like the rest of the local data.
 */

import { ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { photoJpeg } from '../lib/samples';

/** Another team's function on the same bucket (a document indexer, for PDFs): it must stay configured. */
export const otherConsumer = (region: string, accountId: string) => ({
  Id: 'acme-document-indexer',
  LambdaFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:acme-document-indexer`,
  Events: ['s3:ObjectCreated:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'suffix' as const, Value: '.pdf' }] } },
});

/** What the bucket holds before the stack exists: photos the backfill is for, and files no rule selects. */
export function existingObjects(prefix: string): { key: string; thumbnail: boolean; bytes: () => Promise<Buffer> }[] {
  return [
    { key: `${prefix}2019/beach.jpg`, thumbnail: true, bytes: () => photoJpeg(1200, 800, { seed: 201 }) },
    { key: `${prefix}2020/DSC_0001.JPG`, thumbnail: true, bytes: () => photoJpeg(1600, 1200, { seed: 202 }) },
    { key: `${prefix}2021/party.jpeg`, thumbnail: true, bytes: () => photoJpeg(800, 1200, { seed: 203 }) },
    { key: `${prefix}2021/minutes.pdf`, thumbnail: false, bytes: async () => Buffer.from('%PDF-1.4\n% not an image\n') },
    { key: 'exports/outside-the-prefix.jpg', thumbnail: false, bytes: () => photoJpeg(640, 480, { seed: 204 }) },
  ];
}

export interface AdoptedBucketSeed {
  readonly bucket: string;
  readonly prefix: string;
  /** The stack delivers through EventBridge: the owner has turned it on. */
  readonly eventBridge: boolean;
  readonly region: string;
  readonly accountId: string;
}

/** Give an empty adopted bucket its existing photos and configuration; a bucket with objects is left as it is. */
export async function seedAdoptedBucket(client: S3Client, seed: AdoptedBucketSeed): Promise<boolean> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: seed.bucket, MaxKeys: 1 }));
  if ((listed.KeyCount ?? 0) > 0) return false;
  for (const object of existingObjects(seed.prefix))
    await client.send(new PutObjectCommand({ Bucket: seed.bucket, Key: object.key, Body: await object.bytes() }));
  await client.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: seed.bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [otherConsumer(seed.region, seed.accountId)],
        ...(seed.eventBridge ? { EventBridgeConfiguration: {} } : {}),
      },
    }),
  );
  return true;
}
