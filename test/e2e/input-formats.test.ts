/**
 * Every input format through the packaged function and layer, with all of them enabled: photos,
 * screenshots, logos with transparency (flattened onto white in JPEG outputs, kept in WebP ones),
 * animations (the first frame), AVIF; HEIC refused by name; and every hostile file of every format
 * ending in one recorded failure, nothing written.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rendition } from '../../handlers/thumbnail/constants';
import { renditionKey } from '../../handlers/thumbnail/keys';
import { ALL_FORMATS, FORMAT_HOSTILE_CASES } from '../../scripts/lib/hostile-formats';
import { FORMAT_SAMPLES, NOT_JPEG, photoJpeg, QUADRANT_COLOURS } from '../../scripts/lib/samples';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { colourDistance } from '../support/pixels';
import { sharedFixtures } from '../support/shared-fixtures';

const RENDITIONS: Rendition[] = [
  { name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 },
  { name: 'icon', width: 64, height: 64, fit: 'cover', format: 'webp', quality: 80 },
];
const [JPEG_OUT, WEBP_OUT] = RENDITIONS as [Rendition, Rendition];

let session: LocalStackSession;

beforeAll(async () => {
  session = await openLocalStack({ thumbnail: { ...ALL_FORMATS, renditions: RENDITIONS } });
  const uploads = [
    ...FORMAT_SAMPLES.map((sample) => ({ key: sample.key, bytes: sample.bytes })),
    { key: 'formats/really-a-png.jpg', bytes: NOT_JPEG.png },
    { key: 'formats/iphone.avif', bytes: NOT_JPEG.heic },
    { key: 'formats/plain.jpg', bytes: () => photoJpeg(640, 480) },
    ...FORMAT_HOSTILE_CASES.map((hostile, index) => ({
      key: `hostile-formats/${String(index).padStart(2, '0')}.png`,
      bytes: hostile.make,
    })),
  ];
  for (const upload of uploads)
    await session.client.send(new PutObjectCommand({ Bucket: session.originals, Key: upload.key, Body: await upload.bytes() }));
  await session.pipeline.idle();
}, 300_000);

afterAll(async () => {
  await session?.close();
});

async function output(key: string, rendition: Rendition) {
  const object = await session.client
    .send(new GetObjectCommand({ Bucket: session.thumbnails, Key: renditionKey(key, rendition) }))
    .catch(() => undefined);
  if (!object?.Body) return undefined;
  const body = Buffer.from(await object.Body.transformToByteArray());
  const { data, info } = await sharp(body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (fx: number, fy: number) => {
    const i =
      (Math.min(info.height - 1, Math.floor(fy * info.height)) * info.width + Math.min(info.width - 1, Math.floor(fx * info.width))) * 4;
    return { r: data[i] as number, g: data[i + 1] as number, b: data[i + 2] as number, alpha: data[i + 3] as number };
  };
  return { metadata: await sharp(body).metadata(), contentType: object.ContentType, at };
}

const failuresOf = (key: string) => session.pipeline.failureRecords().filter((record) => record.responsePayload.key === key);

describe('input formats, through the packaged function', () => {
  it.each(FORMAT_SAMPLES.map((sample) => [sample.description, sample] as const))(
    '%s becomes a JPEG thumbnail and a WebP icon',
    async (_, sample) => {
      expect(failuresOf(sample.key)).toEqual([]);
      const jpeg = await output(sample.key, JPEG_OUT);
      const webp = await output(sample.key, WEBP_OUT);
      expect(jpeg?.metadata).toMatchObject({ format: 'jpeg', width: 100, channels: 3 });
      expect(jpeg?.contentType).toBe('image/jpeg');
      expect(webp?.metadata).toMatchObject({ format: 'webp', width: 64, height: 64 });
      if (sample.transparentCorners) {
        // Transparency: white in the JPEG (not black), kept in the WebP.
        expect(colourDistance(jpeg!.at(0.02, 0.02), { r: 255, g: 255, b: 255 })).toBeLessThanOrEqual(8);
        expect(webp?.metadata.hasAlpha).toBe(true);
        expect(webp!.at(0.02, 0.02).alpha).toBeLessThan(16);
        expect(webp!.at(0.5, 0.5).alpha).toBeGreaterThan(240);
      }
      if (sample.firstFrame) expect(colourDistance(jpeg!.at(0.5, 0.5), sample.firstFrame)).toBeLessThanOrEqual(24);
      if (sample.upright) {
        expect(jpeg?.metadata).toMatchObject({ width: 100, height: 75 });
        for (const [fx, fy, quadrant] of [
          [0.25, 0.25, 'topLeft'],
          [0.75, 0.25, 'topRight'],
          [0.25, 0.75, 'bottomLeft'],
          [0.75, 0.75, 'bottomRight'],
        ] as const)
          expect(colourDistance(jpeg!.at(fx, fy), QUADRANT_COLOURS[quadrant]), quadrant).toBeLessThanOrEqual(24);
      }
      if (sample.colour) {
        // Converted to sRGB, the profile dropped: the stored P3 numbers are far from these.
        expect(colourDistance(jpeg!.at(0.5, 0.5), sample.colour)).toBeLessThanOrEqual(6);
        expect(colourDistance(webp!.at(0.5, 0.5), sample.colour)).toBeLessThanOrEqual(6);
        expect(jpeg?.metadata.icc).toBeUndefined();
      }
      // One still image out, whatever came in: no animation, no metadata.
      expect(webp?.metadata.pages ?? 1).toBe(1);
      expect(jpeg?.metadata.exif).toBeUndefined();
      expect(webp?.metadata.exif).toBeUndefined();
    },
  );

  it('decides the format by the bytes: a PNG named .jpg is thumbnailed, named as its key is', async () => {
    expect(failuresOf('formats/really-a-png.jpg')).toEqual([]);
    expect((await output('formats/really-a-png.jpg', JPEG_OUT))?.metadata.format).toBe('jpeg');
  });

  it('refuses HEIC by name, once, saying what to do', async () => {
    const failures = failuresOf('formats/iphone.avif');
    expect(failures.map((record) => record.responsePayload.errorType)).toEqual(['HeicNotSupportedError']);
    expect(failures[0]?.responsePayload.errorMessage).toMatch(/HEIC .*no HEVC decoder.*Upload JPEG instead/);
    expect(await output('formats/iphone.avif', JPEG_OUT)).toBeUndefined();
  });

  it('still makes JPEG thumbnails of JPEGs', async () => {
    expect((await output('formats/plain.jpg', JPEG_OUT))?.metadata).toMatchObject({ format: 'jpeg', width: 100, height: 75 });
  });
});

describe('hostile files of every format, through the packaged function', () => {
  it.each(FORMAT_HOSTILE_CASES.map((hostile, index) => [hostile.name, hostile, index] as const))('%s', async (_, hostile, index) => {
    const key = `hostile-formats/${String(index).padStart(2, '0')}.png`;
    const deliveries = session.pipeline.deliveries.filter((delivery) => delivery.key === key);
    expect(deliveries.map((delivery) => [delivery.result.ok, delivery.result.attempts])).toEqual([[true, 1]]);
    const failures = failuresOf(key);
    const made = await output(key, JPEG_OUT);
    if ('thumbnail' in hostile.expect) {
      expect(failures).toEqual([]);
      expect(made?.metadata.format).toBe('jpeg');
    } else {
      expect(made).toBeUndefined();
      expect(failures.map((record) => [record.requestContext.condition, record.responsePayload.errorType])).toEqual([
        ['PermanentFailure', hostile.expect.refused],
      ]);
      if (hostile.expect.limit) expect(failures[0]?.responsePayload.errorMessage).toContain(`over the ${hostile.expect.limit} limit`);
    }
  });
});

describe('names across formats', () => {
  it('keeps photo.png and photo.jpg apart, and deleting one removes only its own outputs', async () => {
    const put = async (key: string, bytes: Buffer) =>
      session.client.send(new PutObjectCommand({ Bucket: session.originals, Key: key, Body: bytes }));
    await put('names/photo.jpg', await photoJpeg(320, 240));
    await put('names/photo.png', await NOT_JPEG.png());
    await session.pipeline.idle();
    const thumbnails = ['names/photo.jpg', 'names/photo.png'].map((key) => renditionKey(key, JPEG_OUT));
    expect(thumbnails).toEqual(['names/photo-thumbnail.jpg', 'names/photo.png.thumbnail.jpg']);
    expect((await output('names/photo.jpg', JPEG_OUT))?.metadata.height).toBe(75);
    expect((await output('names/photo.png', JPEG_OUT))?.metadata.format).toBe('jpeg');

    await session.client.send(new DeleteObjectCommand({ Bucket: session.originals, Key: 'names/photo.png' }));
    await session.pipeline.idle();
    expect(await output('names/photo.png', JPEG_OUT)).toBeUndefined();
    expect(await output('names/photo.png', WEBP_OUT)).toBeUndefined();
    expect(await output('names/photo.jpg', JPEG_OUT)).toBeDefined();
    expect(await output('names/photo.jpg', WEBP_OUT)).toBeDefined();
  });
});

describe('real files from ../shared/fixtures', () => {
  const fixtures = sharedFixtures('images');
  const others = fixtures.present ? readdirSync(fixtures.dir).filter((name) => !/\.jpe?g$/i.test(name)) : [];

  it.skipIf(others.length === 0)(
    'every real file that is not a JPEG ends as one thumbnail or one recorded refusal, never retried, nothing half written',
    async () => {
      // Named .png whatever they are, so the trigger delivers every one: the bytes decide.
      const keyOf = (name: string) => `real/${name}.png`;
      for (const name of others)
        await session.client.send(
          new PutObjectCommand({ Bucket: session.originals, Key: keyOf(name), Body: readFileSync(join(fixtures.dir, name)) }),
        );
      await session.pipeline.idle();
      const outcomes = new Map<string, string>();
      for (const name of others) {
        const key = keyOf(name);
        const deliveries = session.pipeline.deliveries.filter((delivery) => delivery.key === key);
        expect(
          deliveries.map((delivery) => [delivery.result.ok, delivery.result.attempts]),
          name,
        ).toEqual([[true, 1]]);
        const failures = failuresOf(key);
        const jpeg = await output(key, JPEG_OUT);
        const webp = await output(key, WEBP_OUT);
        if (failures.length === 0) {
          // Never enlarged: a source smaller than an output keeps its size.
          expect(jpeg?.metadata, name).toMatchObject({ format: 'jpeg', channels: 3 });
          expect(jpeg?.metadata.width, name).toBeLessThanOrEqual(100);
          expect(webp?.metadata.format, name).toBe('webp');
          expect(Math.max(webp?.metadata.width ?? 0, webp?.metadata.height ?? 0), name).toBeLessThanOrEqual(64);
          outcomes.set(name, 'thumbnail');
        } else {
          expect(failures, name).toHaveLength(1);
          expect([jpeg, webp], name).toEqual([undefined, undefined]);
          outcomes.set(name, String(failures[0]?.responsePayload.errorType));
        }
      }
      console.info(`real files: ${[...outcomes].map(([name, outcome]) => `${name}: ${outcome}`).join('; ')}`);
      // What the header says must match what is made: not a format this function takes is never a thumbnail.
      for (const [name, outcome] of outcomes) if (/\.(svg|tiff?)$/i.test(name)) expect(outcome, name).toBe('UnsupportedFormatError');
      const flag = others.find((name) => name.startsWith('Flag_of_the_Netherlands'));
      if (flag) {
        // A 16-bit PNG: red, white and blue bands, top to bottom.
        const made = await output(keyOf(flag), JPEG_OUT);
        expect(colourDistance(made!.at(0.5, 0.15), { r: 174, g: 28, b: 40 })).toBeLessThanOrEqual(40);
        expect(colourDistance(made!.at(0.5, 0.5), { r: 255, g: 255, b: 255 })).toBeLessThanOrEqual(16);
        expect(colourDistance(made!.at(0.5, 0.85), { r: 33, g: 70, b: 139 })).toBeLessThanOrEqual(40);
      }
    },
    120_000,
  );
  const gainMap = join(fixtures.dir, 'gain-map.jpg');
  it.skipIf(!fixtures.present || !existsSync(gainMap))(
    'a gain-map (Ultra HDR) JPEG takes the bounded JPEG path: its thumbnail comes from the standard image',
    async () => {
      await session.client.send(
        new PutObjectCommand({ Bucket: session.originals, Key: 'formats/gain-map.jpg', Body: readFileSync(gainMap) }),
      );
      await session.pipeline.idle();
      expect(failuresOf('formats/gain-map.jpg')).toEqual([]);
      expect((await output('formats/gain-map.jpg', JPEG_OUT))?.metadata).toMatchObject({ format: 'jpeg', width: 100, height: 56 });
    },
  );
});
