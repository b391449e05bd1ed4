import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoJpeg } from '../../scripts/lib/samples';
import { mapLimit } from '../../scripts/local';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';

const COUNT = 24;
let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;

beforeAll(async () => {
  // A third of the function's S3 requests fail (500, 503, SlowDown) or stall past its 1 s idle timeout.
  session = await openLocalStack(
    { thumbnail: { s3RequestTimeoutMs: 1000 } },
    { faults: { share: 0.33, seed: 7, stallMs: 5_000 }, concurrency: 4, duplicateRate: 0.2 },
  );
  ({ pipeline, client } = session);
  const { originals } = session;
  await mapLimit(
    Array.from({ length: COUNT }, (_, i) => i),
    4,
    async (i) =>
      client.send(new PutObjectCommand({ Bucket: originals, Key: `faulty/${i} photo.jpg`, Body: await photoJpeg(480, 360, { seed: i }) })),
  );
  await pipeline.idle();
}, 600_000);

afterAll(async () => {
  await session?.close();
});

describe('S3 answering 500, 503, SlowDown or stalling for a share of requests', () => {
  it('injected every kind of fault', () => {
    const { faults, requests } = pipeline.faults!.stats;
    console.log(
      `faults injected into ${Object.values(faults).reduce((a, b) => a + b, 0)} of ${requests} S3 requests: ${JSON.stringify(faults)}`,
    );
    for (const count of Object.values(faults)) expect(count).toBeGreaterThan(0);
  });

  it('still gives every upload its thumbnail (SDK retries with jitter, then Lambda retries)', async () => {
    const { thumbnails } = session;
    const listed = await client.send(new ListObjectsV2Command({ Bucket: thumbnails, Prefix: 'faulty/' }));
    const expected = Array.from({ length: COUNT }, (_, i) => thumbnailKeyOf(`faulty/${i} photo.jpg`)).sort();
    expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual(expected);
  });

  it('recorded nothing as failed', () => {
    expect(pipeline.failureRecords()).toEqual([]);
  });
});
