import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orientedJpeg, photoJpeg } from '../../scripts/lib/samples';
import { mapLimit } from '../../scripts/local';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { jsonLogLines } from '../../scripts/local/reports';
import { type LocalStackSession, openLocalStack, startLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';

/** Keys as people name files: spaces, plus signs, unicode, nested folders, several dots. */
const AWKWARD_KEYS = [
  'plain.jpg',
  'with space.jpg',
  'a+b=c.jpg',
  'two  spaces and + plus.jpg',
  '写真/東京タワー.jpg',
  'émoji 📷/café.jpg',
  'deep/nested/folders/2024/05/01/img.jpg',
  'several.dots.in.name.v2.jpg',
  '100% real (copy).jpg',
  "it's ~ fine & good.jpg",
  'percent%2Bliteral.jpg',
  'trailing.dot..jpg',
];

let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;
let originals: string;
let thumbnails: string;

async function upload(key: string, body: Buffer) {
  await client.send(new PutObjectCommand({ Bucket: originals, Key: key, Body: body }));
}

async function thumbnailKeys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: thumbnails }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

beforeAll(async () => {
  session = await openLocalStack(
    {},
    {
      duplicateRate: 0.5,
      random: (() => {
        let i = 0;
        return () => (i++ % 2) * 0.9;
      })(),
    },
  );
  ({ pipeline, client, originals, thumbnails } = session);
});

afterAll(async () => {
  await session?.close();
});

describe('the local pipeline, end to end', () => {
  it('makes a thumbnail for every JPEG uploaded under an awkward key, exactly once', async () => {
    await mapLimit(AWKWARD_KEYS, 4, (key, i) => photoJpeg(400 + i * 10, 300, { seed: i }).then((body) => upload(key, body)));
    await pipeline.idle();
    const expected = AWKWARD_KEYS.map((key) => thumbnailKeyOf(key)).sort();
    expect(await thumbnailKeys()).toEqual(expected);
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      const object = await client.send(new GetObjectCommand({ Bucket: thumbnails, Key: thumbnailKeyOf(key) }));
      const metadata = await sharp(await object.Body!.transformToByteArray()).metadata();
      expect([metadata.width, metadata.height]).toEqual([100, Math.round((300 * 100) / (400 + i * 10))]);
      expect(decodeURIComponent(object.Metadata?.['source-key'] ?? '')).toBe(key);
    }
    // Half the events were delivered twice (at least once); the duplicates wrote nothing.
    const duplicates = pipeline.deliveries.filter((delivery) => delivery.duplicate);
    expect(duplicates.length).toBeGreaterThan(0);
    for (const duplicate of duplicates) expect(duplicate.result.ok).toBe(true);
    const written = pipeline.deliveries
      .flatMap((d) => jsonLogLines(d.result.report))
      .filter((line) => line['message'] === 'thumbnail written');
    expect(written).toHaveLength(AWKWARD_KEYS.length);
  });

  it('rotates a portrait phone photo upright', async () => {
    await upload('phone/portrait.jpg', await orientedJpeg(300, 400, 6));
    await pipeline.idle();
    const object = await client.send(new GetObjectCommand({ Bucket: thumbnails, Key: 'phone/portrait-thumbnail.jpg' }));
    const metadata = await sharp(await object.Body!.transformToByteArray()).metadata();
    expect([metadata.width, metadata.height, metadata.orientation]).toEqual([100, 133, undefined]);
  });

  it("ignores a .png and a .JPG, as the stack's case-sensitive .jpg suffix filter says", async () => {
    const before = pipeline.deliveries.length;
    await upload(
      'ignored/picture.png',
      await sharp(await photoJpeg(50, 50))
        .png()
        .toBuffer(),
    );
    await upload('ignored/SHOUTING.JPG', await photoJpeg(50, 50));
    await pipeline.idle();
    expect(pipeline.deliveries.length).toBe(before);
    expect((await thumbnailKeys()).filter((key) => key.startsWith('ignored/'))).toEqual([]);
  });

  it('removes the thumbnail when the original is deleted', async () => {
    await upload('to-delete/x.jpg', await photoJpeg(200, 100));
    await pipeline.idle();
    expect(await thumbnailKeys()).toContain('to-delete/x-thumbnail.jpg');
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await client.send(new DeleteObjectCommand({ Bucket: originals, Key: 'to-delete/x.jpg' }));
    await pipeline.idle();
    expect(await thumbnailKeys()).not.toContain('to-delete/x-thumbnail.jpg');
  });
});

describe('the calculator function, invoked directly', () => {
  it('returns {"result": 5} for {"x": 10, "y": 2} and logs x and y', async () => {
    const report = await pipeline.invoke('calculator', { x: 10, y: 2 });
    expect(report.result).toEqual({ result: 5 });
    expect(jsonLogLines(report)).toContainEqual(expect.objectContaining({ message: 'dividing', x: 10, y: 2 }));
  });

  it.each([
    [{ x: 10, y: 0 }, 'DivisionByZeroError', /division by zero/],
    [{ x: 10 }, 'InvalidInputError', /y is required/],
    [{ x: 'ten', y: 2 }, 'InvalidInputError', /x must be a finite number/],
  ])('refuses %j with %s', async (event, errorType, message) => {
    const report = await pipeline.invoke('calculator', event);
    expect(report.ok).toBe(false);
    expect(report.error?.errorType).toBe(errorType);
    expect(report.error?.errorMessage).toMatch(message);
  });
});

describe('a function that keeps failing', () => {
  let broken: LocalPipeline;

  beforeAll(async () => {
    // The function's S3 endpoint is a closed port: every attempt throws a transient error.
    broken = await startLocalStack(
      {},
      { environmentOverrides: { thumbnail: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } } },
    );
  });

  afterAll(async () => {
    await broken?.close();
  });

  it("is retried twice (the stack's async config), then lands in the on-failure queue with the event and the error", async () => {
    const s3 = broken.s3Client();
    await s3.send(new PutObjectCommand({ Bucket: broken.buckets.triggering[0], Key: 'doomed.jpg', Body: await photoJpeg(100, 100) }));
    s3.destroy();
    await broken.idle();
    const [delivery] = broken.deliveries;
    expect(delivery?.result).toMatchObject({ ok: false, attempts: 3 });
    const records = broken.failureRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { Records: [{ s3: { object: { key: 'doomed.jpg' } } }] },
      responsePayload: { errorType: 'TransientStorageError' },
    });
  });
});
