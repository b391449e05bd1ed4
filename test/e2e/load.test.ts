import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoJpeg } from '../../scripts/lib/samples';
import { mapLimit } from '../../scripts/local';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { jsonLogLines } from '../../scripts/local/reports';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';

const UPLOADS = 1000;
const UPLOAD_CONCURRENCY = 8;
let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;
let thumbnails: string;
let seconds = 0;

async function listAll(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

beforeAll(async () => {
  session = await openLocalStack({}, { concurrency: 4, duplicateRate: 0.1 });
  ({ pipeline, client, thumbnails } = session);
  const bodies = await Promise.all(Array.from({ length: 50 }, (_, i) => photoJpeg(640, 480, { seed: i })));
  const { originals } = session;
  const started = performance.now();
  await mapLimit(
    Array.from({ length: UPLOADS }, (_, i) => i),
    UPLOAD_CONCURRENCY,
    (i) => client.send(new PutObjectCommand({ Bucket: originals, Key: `load/${i % 20}/image ${i}.jpg`, Body: bodies[i % bodies.length] })),
  );
  await pipeline.idle();
  seconds = (performance.now() - started) / 1000;
  console.log(
    `load: ${UPLOADS} uploads -> thumbnails in ${seconds.toFixed(1)} s: ${(UPLOADS / seconds).toFixed(1)} thumbnails/s (4 environments, 10% duplicate deliveries)`,
  );
}, 900_000);

afterAll(async () => {
  await session?.close();
});

describe(`load: ${UPLOADS} uploads through the local runner`, () => {
  it('gives every upload exactly one thumbnail', async () => {
    const keys = await listAll(thumbnails);
    expect(keys).toHaveLength(UPLOADS);
    expect(new Set(keys).size).toBe(UPLOADS);
  });

  it('wrote each thumbnail once, although some events were delivered twice', () => {
    const duplicates = pipeline.deliveries.filter((delivery) => delivery.duplicate).length;
    const written = pipeline.deliveries
      .flatMap((delivery) => jsonLogLines(delivery.result.report))
      .filter((line) => line['message'] === 'thumbnail written');
    expect(duplicates).toBeGreaterThan(0);
    expect(written).toHaveLength(UPLOADS);
  });

  it('lost nothing: no failed delivery, nothing in the failure queue', () => {
    expect(pipeline.deliveries.filter((delivery) => !delivery.result.ok)).toEqual([]);
    expect(pipeline.failureRecords()).toEqual([]);
  });
});
