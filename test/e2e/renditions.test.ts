/**
 * Renditions through the packaged function and layer, against the local S3 server: a site's set
 * (a JPEG thumbnail, a square WebP avatar, a WebP preview and a small AVIF) from one upload, each
 * object with its format's headers and provenance; a duplicate delivery writes nothing; a delete
 * removes every rendition; a refused upload is recorded once, naming no rendition it never reached.
 */

import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_CONTROL, FORMATS, type Rendition, THUMBNAIL_METADATA } from '../../handlers/thumbnail/constants';
import { renditionKey } from '../../handlers/thumbnail/keys';
import { NOT_JPEG, orientedJpeg, photoJpeg, QUADRANT_COLOURS } from '../../scripts/lib/samples';
import { jsonLogLines } from '../../scripts/local/reports';
import { s3EventRecord } from '../../scripts/local/s3-events';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { colourDistance, decode } from '../support/pixels';

const SITE: Rendition[] = [
  { name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 },
  { name: 'avatar', width: 256, height: 256, fit: 'cover', format: 'webp', quality: 80 },
  { name: 'preview', width: 1200, format: 'webp', quality: 75 },
  { name: 'small', width: 320, height: 320, fit: 'inside', format: 'avif', quality: 50 },
];

let session: LocalStackSession;

beforeAll(async () => {
  session = await openLocalStack({ thumbnail: { renditions: SITE } }, { duplicateRate: 0 });
});

afterAll(async () => {
  await session?.close();
});

async function outputKeys(prefix: string): Promise<string[]> {
  const listed = await session.client.send(new ListObjectsV2Command({ Bucket: session.thumbnails, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

async function upload(key: string, body: Buffer) {
  await session.client.send(new PutObjectCommand({ Bucket: session.originals, Key: key, Body: body }));
  await session.pipeline.idle();
}

describe('renditions, through the packaged function', () => {
  it('writes every rendition of an upload, each in its format and size, upright, with its headers and provenance', async () => {
    await upload('site/portrait phone.jpg', await orientedJpeg(1800, 2400, 6));
    const expected = SITE.map((rendition) => renditionKey('site/portrait phone.jpg', rendition)).sort();
    expect(await outputKeys('site/')).toEqual(expected);
    const sizes: Record<string, [number, number, string]> = {
      thumbnail: [100, 133, 'jpeg'],
      avatar: [256, 256, 'webp'],
      preview: [1200, 1600, 'webp'],
      small: [240, 320, 'heif'],
    };
    for (const rendition of SITE) {
      const key = renditionKey('site/portrait phone.jpg', rendition);
      const object = await session.client.send(new GetObjectCommand({ Bucket: session.thumbnails, Key: key }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      const metadata = await sharp(body).metadata();
      expect([metadata.width, metadata.height, metadata.format]).toEqual(sizes[rendition.name]);
      expect([metadata.orientation, metadata.exif, metadata.icc]).toEqual([undefined, undefined, undefined]);
      expect(object.ContentType).toBe(FORMATS[rendition.format].contentType);
      expect(object.CacheControl).toBe(CACHE_CONTROL);
      expect(object.Metadata?.[THUMBNAIL_METADATA.rendition]).toBe(rendition.name);
      expect(decodeURIComponent(object.Metadata?.[THUMBNAIL_METADATA.sourceKey] ?? '')).toBe('site/portrait phone.jpg');
      // Upright: the portrait's top-left quadrant colour is at the top left (the square avatar is cut from the centre).
      if (rendition.name !== 'avatar') {
        const pixels = await decode(await sharp(body).png().toBuffer());
        expect(colourDistance(pixels.at(0.25, 0.1), QUADRANT_COLOURS.topLeft)).toBeLessThan(45);
      }
    }
  });

  it('writes nothing again for a duplicate delivery (the same record, same sequencer)', async () => {
    const body = await photoJpeg(800, 600);
    await upload('dup/x.jpg', body);
    const heads = () =>
      Promise.all(
        SITE.map((r) => session.client.send(new HeadObjectCommand({ Bucket: session.thumbnails, Key: renditionKey('dup/x.jpg', r) }))),
      );
    const before = await heads();
    const provenance = before[0]?.Metadata ?? {};
    const record = s3EventRecord(
      {
        eventName: 'ObjectCreated:Put',
        bucket: session.originals,
        key: 'dup/x.jpg',
        size: body.length,
        eTag: provenance[THUMBNAIL_METADATA.sourceEtag] ?? '',
        sequencer: provenance[THUMBNAIL_METADATA.sourceSequencer] ?? '',
      },
      { region: 'ap-northeast-1', time: new Date(), requestId: 'DUPLICATE', configurationId: 'duplicate' },
    );
    const again = await session.pipeline.invoke('thumbnail', { Records: [record] });
    expect(again.ok).toBe(true);
    expect(jsonLogLines(again).filter((line) => line['message'] === 'thumbnail written')).toEqual([]);
    expect((await heads()).map((head) => head.ETag)).toEqual(before.map((head) => head.ETag));
  });

  it('deletes every rendition when the original is deleted', async () => {
    await upload('gone/x.jpg', await photoJpeg(640, 480));
    expect(await outputKeys('gone/')).toHaveLength(SITE.length);
    await session.client.send(new DeleteObjectCommand({ Bucket: session.originals, Key: 'gone/x.jpg' }));
    await session.pipeline.idle();
    expect(await outputKeys('gone/')).toEqual([]);
  });

  it('refuses an upload that is not a JPEG once, writing no rendition', async () => {
    const recordsBefore = session.pipeline.failureRecords().length;
    await upload('bad/fake.jpg', await NOT_JPEG.png());
    expect(await outputKeys('bad/')).toEqual([]);
    const records = session.pipeline.failureRecords().slice(recordsBefore);
    expect(records).toHaveLength(1);
    expect(JSON.stringify(records[0])).toMatch(/UnsupportedFormatError/);
  });
});
