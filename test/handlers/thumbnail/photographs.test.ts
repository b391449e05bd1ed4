import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Rendition } from '../../../handlers/thumbnail/constants';
import { decodeLimitsFor } from '../../../handlers/thumbnail/decode-cost';
import { CorruptImageError, PixelLimitError, UnsupportedFormatError } from '../../../handlers/thumbnail/errors';
import { readJpegHeader, renderThumbnails } from '../../../handlers/thumbnail/image';
import { planSizes } from '../../../handlers/thumbnail/plan';
import { sharedFixtures } from '../../support/shared-fixtures';

const fixtures = sharedFixtures('images');
const files = fixtures.present ? readdirSync(fixtures.dir).sort() : [];
const OPTIONS = { maxInputPixels: 100_000_000 };
const THUMBNAIL = { rendition: DEFAULTS.renditions[0] as Rendition, key: 'k' };
const LIMITS = decodeLimitsFor({ ...OPTIONS, maxDecodeMs: DEFAULTS.maxDecodeMs, functionMemoryMB: DEFAULTS.functionMemoryMB }, 0);

/** Fixtures that must be refused, and why. Every other .jpg must produce a thumbnail. */
const REFUSED: Record<string, new (...args: never[]) => Error> = {
  'truncated.jpg': CorruptImageError,
  'corrupt-header.jpg': CorruptImageError,
  'giant-image.jpg': PixelLimitError,
};

async function thumbnail(file: string) {
  const input = readFileSync(join(fixtures.dir, file));
  const header = await readJpegHeader(input, LIMITS);
  const [result] = await renderThumbnails(input, header, planSizes(header.display, [THUMBNAIL]), OPTIONS);
  if (!result) throw new Error('nothing rendered');
  return { input, header, body: result.body, metadata: await sharp(result.body).metadata() };
}

async function meanDifference(a: Uint8Array, b: Uint8Array): Promise<number> {
  const [left, right] = await Promise.all([a, b].map((jpeg) => sharp(jpeg).resize(50, 50, { fit: 'fill' }).raw().toBuffer()));
  let sum = 0;
  for (let i = 0; i < (left as Buffer).length; i++) sum += Math.abs((left as Buffer)[i]! - (right as Buffer)[i]!);
  return sum / (left as Buffer).length;
}

describe.skipIf(!fixtures.present)(`real photographs (${fixtures.label})`, () => {
  const jpegs = files.filter((file) => file.endsWith('.jpg') && !(file in REFUSED));
  const others = files.filter((file) => !file.endsWith('.jpg'));

  it.each(jpegs)('%s becomes a 100 px wide (or smaller) 8-bit sRGB JPEG without metadata', async (file) => {
    const { header, metadata } = await thumbnail(file);
    expect(metadata).toMatchObject({
      format: 'jpeg',
      space: 'srgb',
      channels: 3,
      depth: 'uchar',
      width: Math.min(100, header.display.width),
    });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
  });

  it.each(Object.entries(REFUSED))('%s is refused with %o', async (file, type) => {
    const input = readFileSync(join(fixtures.dir, file));
    await expect(
      readJpegHeader(input, LIMITS).then((header) => renderThumbnails(input, header, planSizes(header.display, [THUMBNAIL]), OPTIONS)),
    ).rejects.toThrow(type);
  });

  it.each(others)('%s (not a JPEG, named .jpg in an upload) is refused', async (file) => {
    await expect(readJpegHeader(readFileSync(join(fixtures.dir, file)), LIMITS)).rejects.toThrow(UnsupportedFormatError);
  });

  describe.each(['Landscape', 'Portrait'])('%s EXIF orientation set', (shape) => {
    it.each([2, 3, 4, 5, 6, 7, 8])(`${shape}_%i looks like ${shape}_1 once thumbnailed`, async (orientation) => {
      const upright = await thumbnail(`${shape}_1.jpg`);
      const oriented = await thumbnail(`${shape}_${orientation}.jpg`);
      expect([oriented.metadata.width, oriented.metadata.height]).toEqual([upright.metadata.width, upright.metadata.height]);
      expect(await meanDifference(oriented.body, upright.body)).toBeLessThan(12);
      // The same pixels without EXIF rotation would differ a lot: the comparison can fail.
      const unrotated = await sharp(readFileSync(join(fixtures.dir, `${shape}_${orientation}.jpg`)), { autoOrient: false })
        .resize(upright.metadata.width, upright.metadata.height, { fit: 'fill' })
        .jpeg()
        .toBuffer();
      if (orientation !== 1) expect(await meanDifference(unrotated, upright.body)).toBeGreaterThan(20);
    });
  });

  it('strips GPS coordinates from photographs that carry them', async () => {
    const withGps = [];
    for (const file of jpegs) {
      const exif = (await sharp(readFileSync(join(fixtures.dir, file))).metadata()).exif;
      if (exif && exifReader(exif).GPSInfo?.GPSLatitude) withGps.push(file);
    }
    expect(withGps.length).toBeGreaterThan(0);
    for (const file of withGps) expect((await thumbnail(file)).metadata.exif).toBeUndefined();
  });
});
