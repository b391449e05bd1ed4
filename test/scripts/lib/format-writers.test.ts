import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { DEFAULTS, type Rendition } from '../../../handlers/thumbnail/constants';
import { decodeLimitsFor } from '../../../handlers/thumbnail/decode-cost';
import { readJpegHeader, renderThumbnails } from '../../../handlers/thumbnail/image';
import { planSizes } from '../../../handlers/thumbnail/plan';
import { multiPictureJpeg } from '../../../scripts/lib/format-writers';
import { photoJpeg } from '../../../scripts/lib/samples';
import { colourDistance, decode } from '../../support/pixels';
import { test } from '../../support/tmp';

/** What libvips makes of a file with every loader allowed: in a child process, since the handler's module blocks loaders process-wide. */
function unrestrictedMetadata(path: string): { gainMap: boolean; width: number } {
  const script =
    "const sharp = require('sharp'); sharp(process.argv[1]).metadata().then((m) => console.log(JSON.stringify({ gainMap: Boolean(m.gainMap), width: m.width })));";
  const json = execFileSync(process.execPath, ['-e', script, path], { encoding: 'utf8' });
  return JSON.parse(json) as { gainMap: boolean; width: number };
}

/** The default thumbnail, as the handler makes it: header, size plan, render. */
async function thumbnailOf(input: Buffer) {
  const header = await readJpegHeader(input, decodeLimitsFor({ ...DEFAULTS, functionMemoryMB: 1024 }, input.length));
  const rendition = DEFAULTS.renditions[0] as Rendition;
  const [thumbnail] = await renderThumbnails(input, header, planSizes(header.display, [{ rendition, key: 'x' }]), DEFAULTS);
  return { header, pixels: await decode(thumbnail?.body ?? new Uint8Array()) };
}

const grey = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#404040' } })
    .toColourspace('b-w')
    .jpeg()
    .toBuffer();

describe('multiPictureJpeg', () => {
  test('with a gain map, makes a file libvips takes for Ultra HDR, which the handler decodes as the plain JPEG it starts with', async ({
    tmp,
  }) => {
    const primary = await photoJpeg(800, 600, { seed: 41 });
    const file = multiPictureJpeg(primary, await grey(200, 150), { gainMap: true });
    const path = join(tmp, 'ultra-hdr.jpg');
    writeFileSync(path, file);
    // Every loader allowed (libvips' default): the gain map is seen, so the Ultra HDR loader runs.
    expect(unrestrictedMetadata(path)).toMatchObject({ gainMap: true, width: 800 });
    // The handler's loaders: the plain JPEG one, and the image is the standard one.
    expect((await sharp(file).metadata()).gainMap).toBeUndefined();
    const [fromFile, fromPrimary] = await Promise.all([thumbnailOf(file), thumbnailOf(primary)]);
    expect(fromFile.header).toMatchObject({ format: 'jpeg', width: 800, height: 600 });
    for (const [fx, fy] of [
      [0.25, 0.25],
      [0.5, 0.5],
      [0.75, 0.75],
    ] as const)
      expect(colourDistance(fromFile.pixels.at(fx, fy), fromPrimary.pixels.at(fx, fy))).toBeLessThanOrEqual(2);
  });

  test('without one, is a multi-picture file whose first image is the photo', async ({ tmp }) => {
    const file = multiPictureJpeg(await photoJpeg(640, 480, { seed: 42 }), await photoJpeg(320, 240, { seed: 43 }), { gainMap: false });
    const path = join(tmp, 'mpo.jpg');
    writeFileSync(path, file);
    expect(unrestrictedMetadata(path)).toMatchObject({ gainMap: false, width: 640 });
    const header = await readJpegHeader(file, decodeLimitsFor({ ...DEFAULTS, functionMemoryMB: 1024 }, file.length));
    expect(header).toMatchObject({ width: 640, height: 480 });
    // MPF's second image is in the file, after the first one's end.
    expect(file.indexOf(Buffer.from([0xff, 0xd8, 0xff]), 2)).toBeGreaterThan(0);
  });
});
