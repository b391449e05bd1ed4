import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cmykJpeg,
  corruptJpeg,
  headerBombJpeg,
  hugeExifJpeg,
  NOT_JPEG,
  photoJpeg,
  progressiveJpeg,
  silentlyDamagedJpeg,
  truncatedJpeg,
} from '../../scripts/lib/samples';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { SequencerClock, s3EventRecord } from '../../scripts/local/s3-events';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';

const MAX_INPUT_BYTES = 3 * 1024 * 1024;

type Expectation = { readonly thumbnail: readonly [number, number] } | { readonly refused: string };

interface Case {
  readonly name: string;
  readonly key: string;
  readonly bytes: () => Promise<Buffer>;
  readonly expect: Expectation;
}

/** Every upload ends in exactly one place: a correct thumbnail, or a recorded failure with its reason. */
const CASES: Case[] = [
  { name: 'zero bytes', key: 'matrix/empty.jpg', bytes: NOT_JPEG.empty, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'text named .jpg', key: 'matrix/notes.jpg', bytes: NOT_JPEG.text, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'PNG named .jpg', key: 'matrix/png.jpg', bytes: NOT_JPEG.png, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'WebP named .jpg', key: 'matrix/webp.jpg', bytes: NOT_JPEG.webp, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'GIF named .jpg', key: 'matrix/gif.jpg', bytes: NOT_JPEG.gif, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'HEIC named .jpg', key: 'matrix/heic.jpg', bytes: NOT_JPEG.heic, expect: { refused: 'HeicNotSupportedError' } },
  { name: 'AVIF named .jpg', key: 'matrix/avif.jpg', bytes: NOT_JPEG.avif, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'TIFF named .jpg', key: 'matrix/tiff.jpg', bytes: NOT_JPEG.tiff, expect: { refused: 'UnsupportedFormatError' } },
  { name: '16-bit PNG named .jpg', key: 'matrix/sixteen-bit.jpg', bytes: NOT_JPEG.png16, expect: { refused: 'UnsupportedFormatError' } },
  { name: 'truncated JPEG', key: 'matrix/truncated.jpg', bytes: () => truncatedJpeg(800, 600), expect: { refused: 'CorruptImageError' } },
  {
    name: 'corrupt entropy-coded data',
    key: 'matrix/corrupt.jpg',
    bytes: () => corruptJpeg(800, 600),
    expect: { refused: 'CorruptImageError' },
  },
  {
    name: '50000x50000 header bomb',
    key: 'matrix/bomb.jpg',
    bytes: () => headerBombJpeg(50_000, 50_000),
    expect: { refused: 'PixelLimitError' },
  },
  {
    name: 'over the byte limit',
    key: 'matrix/too-big.jpg',
    bytes: () => photoJpeg(2400, 1800, { quality: 100 }),
    expect: { refused: 'ObjectTooLargeError' },
  },
  { name: 'CMYK', key: 'matrix/cmyk.jpg', bytes: () => cmykJpeg(600, 400), expect: { thumbnail: [100, 67] } },
  { name: 'progressive', key: 'matrix/progressive.jpg', bytes: () => progressiveJpeg(640, 480), expect: { thumbnail: [100, 75] } },
  { name: 'a 60 KB EXIF block', key: 'matrix/huge-exif.jpg', bytes: () => hugeExifJpeg(400, 300), expect: { thumbnail: [100, 75] } },
  { name: '1x1', key: 'matrix/pixel.jpg', bytes: () => photoJpeg(1, 1), expect: { thumbnail: [1, 1] } },
  { name: '20000x100 panorama', key: 'matrix/panorama.jpg', bytes: () => photoJpeg(20_000, 100), expect: { thumbnail: [100, 1] } },
  { name: 'a unicode key', key: 'matrix/ユニコード/photo ✓.jpg', bytes: () => photoJpeg(300, 200), expect: { thumbnail: [100, 67] } },
  {
    name: 'damage that still decodes (no checksum in JPEG)',
    key: 'matrix/silently-damaged.jpg',
    bytes: () => silentlyDamagedJpeg(800, 600),
    expect: { thumbnail: [100, 75] },
  },
];

let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;
let originals: string;
let thumbnails: string;

const recordedFailures = () => pipeline.failureRecords();

beforeAll(async () => {
  session = await openLocalStack({ thumbnail: { maxInputBytes: MAX_INPUT_BYTES } });
  ({ pipeline, client, originals, thumbnails } = session);
  for (const testCase of CASES)
    await client.send(new PutObjectCommand({ Bucket: originals, Key: testCase.key, Body: await testCase.bytes() }));
  await pipeline.idle();
});

afterAll(async () => {
  await session?.close();
});

describe('bad and unusual inputs through the local pipeline', () => {
  it('uses an over-limit case that really is over the byte limit', async () => {
    expect((await client.send(new HeadObjectCommand({ Bucket: originals, Key: 'matrix/too-big.jpg' }))).ContentLength).toBeGreaterThan(
      MAX_INPUT_BYTES,
    );
  });

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_, testCase) => {
    const thumbnailKey = thumbnailKeyOf(testCase.key);
    const head = await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: thumbnailKey })).catch(() => undefined);
    const failures = recordedFailures().filter((record) => record.responsePayload.key === testCase.key);
    if ('thumbnail' in testCase.expect) {
      expect(head).toBeDefined();
      expect(failures).toEqual([]);
      const object = await client.send(
        new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: thumbnails, Key: thumbnailKey }),
      );
      const metadata = await sharp(await object.Body!.transformToByteArray()).metadata();
      expect([metadata.width, metadata.height]).toEqual(testCase.expect.thumbnail);
    } else {
      expect(head).toBeUndefined();
      // Recorded once, as permanent, by the handler itself: not retried.
      expect(failures.map((record) => [record.requestContext.condition, record.responsePayload.errorType])).toEqual([
        ['PermanentFailure', testCase.expect.refused],
      ]);
      expect(failures[0]?.responsePayload.errorMessage.length).toBeGreaterThan(10);
    }
  });

  it('wrote nothing but the expected thumbnails', async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: thumbnails, Prefix: 'matrix/' }));
    const expected = CASES.filter((testCase) => 'thumbnail' in testCase.expect).map((testCase) => thumbnailKeyOf(testCase.key));
    expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual(expected.sort());
  });

  it('did not retry permanent failures: one invocation each', () => {
    for (const testCase of CASES.filter((candidate) => 'refused' in candidate.expect)) {
      const deliveries = pipeline.deliveries.filter((delivery) => delivery.key === testCase.key && !delivery.duplicate);
      expect(deliveries.map((delivery) => [delivery.result.ok, delivery.result.attempts])).toEqual([[true, 1]]);
    }
  });

  it('skips, quietly, an original deleted before its create event was handled; the delete already removed its thumbnail', async () => {
    const key = 'matrix/deleted-before-processing.jpg';
    const put = await client.send(new PutObjectCommand({ Bucket: originals, Key: key, Body: await photoJpeg(300, 200) }));
    await pipeline.idle();
    await client.send(new DeleteObjectCommand({ Bucket: originals, Key: key }));
    await pipeline.idle();
    // The created event arrives late, after the delete (S3 does not order deliveries).
    const late = s3EventRecord(
      {
        eventName: 'ObjectCreated:Put',
        bucket: originals,
        key,
        eTag: put.ETag?.replace(/"/g, ''),
        size: 1,
        sequencer: new SequencerClock(() => 1n).next(),
      },
      { region: pipeline.model.region, time: new Date(), requestId: 'LATE', configurationId: 'late' },
    );
    const result = await pipeline.invokeAsync('thumbnail', { Records: [late] });
    await pipeline.idle();
    expect(result).toMatchObject({ ok: true, attempts: 1, report: { result: { skipped: 1, failed: 0 } } });
    expect(recordedFailures().filter((record) => record.responsePayload.key === key)).toEqual([]);
    const thumbnailKey = thumbnailKeyOf(key);
    expect(await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: thumbnailKey })).catch(() => 'absent')).toBe('absent');
  });
});
