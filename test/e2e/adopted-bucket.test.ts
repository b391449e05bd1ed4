/**
 * An adopted bucket end to end, through the packaged function and layer: a bucket with photos and
 * another consumer's notification already in it, uploads delivered through EventBridge (the rule's
 * pattern from the synthesized stack, matched locally), deletes following, the bucket's own
 * configuration never touched, the photos already there backfilled; and the opt-in notification
 * delivery, through the stack's own S3 notification.
 */

import { LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, HeadObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../handlers/thumbnail/constants';
import { triggerFilterOf } from '../../infra/config';
import { jobBucketPrefix } from '../../infra/names';
import { readNotifications } from '../../scripts/adopted-bucket';
import { runLocalBackfill } from '../../scripts/backfill/local-run';
import { photoJpeg } from '../../scripts/lib/samples';
import { existingObjects } from '../../scripts/local/adopted-bucket';
import type { Undelivered } from '../../scripts/local/pipeline';
import { LOCAL_CREDENTIALS } from '../../scripts/local/s3-server';
import { localBucketName } from '../../scripts/local/stack-model';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';
import { devConfig } from '../support/stack';

const BUCKET = 'acme-photo-uploads';
const ADOPTED = { originals: { existingBucket: BUCKET, prefix: 'uploads/' }, thumbnail: { triggerSuffixes: ['.jpg', '.jpeg'] } };

describe('an adopted bucket, EventBridge delivery', () => {
  let session: LocalStackSession;
  const undelivered: Undelivered[] = [];
  let configurationBefore: Awaited<ReturnType<typeof readNotifications>>;

  beforeAll(async () => {
    session = await openLocalStack(ADOPTED, { seedAdoptedBuckets: true });
    session.pipeline.onUndelivered((upload) => undelivered.push(upload));
    configurationBefore = await readNotifications(session.client, BUCKET);
  });
  afterAll(async () => {
    await session?.close();
  });

  const exists = (key: string) =>
    session.client.send(new HeadObjectCommand({ Bucket: session.thumbnails, Key: key })).then(
      () => true,
      () => false,
    );
  const upload = async (key: string, body?: Buffer) => {
    await session.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body ?? (await photoJpeg(640, 480)) }));
    await session.pipeline.idle();
  };

  it("is the bucket uploads come from, served under its prefix, with a team's photos and notifications already in it", async () => {
    expect(session.originals).toBe(BUCKET);
    expect(session.pipeline.functionVariable('thumbnail', ENV.sourcePrefix)).toBe('uploads/');
    expect(configurationBefore.EventBridgeConfiguration).toEqual({});
    expect(configurationBefore.LambdaFunctionConfigurations?.map((entry) => entry.Id)).toEqual(['acme-document-indexer']);
  });

  it('thumbnails an upload under the prefix, its suffix in any case (camera files are DSC_0001.JPG)', async () => {
    await upload('uploads/2024/DSC_0042.JPG');
    await upload('uploads/2024/holiday 1.jpeg');
    expect(await exists(thumbnailKeyOf('uploads/2024/DSC_0042.JPG'))).toBe(true);
    expect(await exists(thumbnailKeyOf('uploads/2024/holiday 1.jpeg'))).toBe(true);
    const delivered = session.pipeline.deliveries.filter((delivery) => delivery.key === 'uploads/2024/DSC_0042.JPG');
    expect(delivered.map((delivery) => [delivery.eventName, delivery.result.ok])).toEqual([['ObjectCreated:Put', true]]);
  });

  it("does not deliver what the rule's pattern leaves out: other prefixes, other suffixes", async () => {
    await upload('exports/DSC_0043.JPG');
    await upload('uploads/2024/notes.txt', Buffer.from('hello'));
    expect(await exists(thumbnailKeyOf('exports/DSC_0043.JPG'))).toBe(false);
    expect(undelivered.map((upload) => [upload.key, upload.reason])).toEqual([
      ['exports/DSC_0043.JPG', expect.stringMatching(/no EventBridge rule's pattern selects it \(thumbnails-dev-uploads\)/)],
      ['uploads/2024/notes.txt', expect.stringMatching(/no EventBridge rule's pattern selects it/)],
    ]);
  });

  it('removes the thumbnail when the original is deleted (Object Deleted)', async () => {
    await session.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'uploads/2024/DSC_0042.JPG' }));
    await session.pipeline.idle();
    expect(await exists(thumbnailKeyOf('uploads/2024/DSC_0042.JPG'))).toBe(false);
  });

  it("has left the bucket's notification configuration as it was", async () => {
    expect(await readNotifications(session.client, BUCKET)).toEqual(configurationBefore);
  });

  it('backfills the photos that were there before the stack, as make backfill LOCAL=1 does', async () => {
    const endpoint = await session.pipeline.serveLambdaApi();
    const lambda = new LambdaClient({ endpoint, region: session.pipeline.model.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const result = await runLocalBackfill(
        {
          s3: session.client,
          lambda,
          functionName: session.pipeline.functionModel('thumbnail').functionName,
          originals: BUCKET,
          jobBucket: localBucketName({ bucket_prefix: jobBucketPrefix('thumbnails-dev') }),
        },
        { ...triggerFilterOf(devConfig(ADOPTED)), concurrency: 2 },
      );
      expect(result.counts.PermanentFailure).toBe(0);
      for (const object of existingObjects('uploads/')) expect(await exists(thumbnailKeyOf(object.key))).toBe(object.thumbnail);
    } finally {
      lambda.destroy();
    }
  });

  it('delivers nothing while the owner has EventBridge off, and says why', async () => {
    await session.client.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { LambdaFunctionConfigurations: configurationBefore.LambdaFunctionConfigurations ?? [] },
      }),
    );
    await upload('uploads/2024/after-switch-off.jpg');
    expect(await exists(thumbnailKeyOf('uploads/2024/after-switch-off.jpg'))).toBe(false);
    expect(undelivered.at(-1)?.reason).toMatch(/EventBridge is off for bucket acme-photo-uploads/);
  });
});

describe('an adopted bucket, notification delivery (opt-in)', () => {
  let session: LocalStackSession;

  beforeAll(async () => {
    session = await openLocalStack(
      { originals: { existingBucket: BUCKET, delivery: 'notification', prefix: 'uploads/' } },
      { seedAdoptedBuckets: true },
    );
  });
  afterAll(async () => {
    await session?.close();
  });

  it("thumbnails uploads under the prefix through the stack's own notification (S3's filters: case-sensitive)", async () => {
    for (const key of ['uploads/a.jpg', 'uploads/B.JPG', 'exports/c.jpg'])
      await session.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await photoJpeg(320, 240) }));
    await session.pipeline.idle();
    const made = async (key: string) =>
      session.client.send(new HeadObjectCommand({ Bucket: session.thumbnails, Key: thumbnailKeyOf(key) })).then(
        () => true,
        () => false,
      );
    expect([await made('uploads/a.jpg'), await made('uploads/B.JPG'), await made('exports/c.jpg')]).toEqual([true, false, false]);
  });
});
