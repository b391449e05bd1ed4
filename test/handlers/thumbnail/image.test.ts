import exifReader from 'exif-reader';
import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Rendition } from '../../../handlers/thumbnail/constants';
import { DEFAULTS } from '../../../handlers/thumbnail/constants';
import { decodeLimitsFor } from '../../../handlers/thumbnail/decode-cost';
import {
  CorruptImageError,
  DecodeLimitError,
  HeicNotSupportedError,
  PixelLimitError,
  RenderTimeoutError,
  UnsupportedFormatError,
  UnsupportedJpegError,
} from '../../../handlers/thumbnail/errors';
import { encodeGroups, readJpegHeader, renderError, renderThumbnails, sharedDeadline } from '../../../handlers/thumbnail/image';
import { planIntermediate, planSizes } from '../../../handlers/thumbnail/plan';
import { progressiveScript, writeJpeg } from '../../../scripts/lib/jpeg-writer';
import {
  cmykJpeg,
  corruptJpeg,
  displayP3Jpeg,
  gpsTaggedJpeg,
  grayscaleJpeg,
  headerBombJpeg,
  hugeExifJpeg,
  NOT_JPEG,
  type NotJpeg,
  ORIENTATIONS,
  orientedJpeg,
  photoJpeg,
  progressiveJpeg,
  QUADRANT_COLOURS,
  silentlyDamagedJpeg,
  truncatedJpeg,
} from '../../../scripts/lib/samples';
import { colourDistance, decode } from '../../support/pixels';

const OPTIONS = { maxInputPixels: 100_000_000 };
const LIMITS = decodeLimitsFor({ ...OPTIONS, maxDecodeMs: DEFAULTS.maxDecodeMs, functionMemoryMB: DEFAULTS.functionMemoryMB }, 0);
const THUMBNAIL = DEFAULTS.renditions[0] as Rendition;
const jpegAt = (width: number): Rendition => ({ ...THUMBNAIL, name: `w${width}`, width });

/** Header, size plan and render, as the handler chains them. */
async function render(input: Uint8Array, renditions: readonly Rendition[]) {
  const header = await readJpegHeader(input, LIMITS);
  const planned = planSizes(
    header.display,
    renditions.map((rendition) => ({ rendition, key: rendition.name })),
  );
  return renderThumbnails(input, header, planned, OPTIONS);
}

const thumbnail = (input: Uint8Array, widths: number[] = [100]) => render(input, widths.map(jpegAt));

async function only(input: Uint8Array) {
  const [result] = await thumbnail(input);
  if (!result) throw new Error('no thumbnail rendered');
  return { result, metadata: await sharp(result.body).metadata(), pixels: await decode(result.body) };
}

describe('readJpegHeader', () => {
  it('reads stored and displayed dimensions and the orientation', async () => {
    const header = await readJpegHeader(await orientedJpeg(300, 400, 6), LIMITS);
    // withMetadata() in the generator embeds libvips' sRGB profile.
    expect(header).toMatchObject({ width: 400, height: 300, orientation: 6, display: { width: 300, height: 400 }, standardSrgb: true });
    expect(header.decode).toMatchObject({ pixels: 120_000, wholeImageBytes: 0 });
  });

  it.each([
    ['srgb', true],
    ['p3', false],
  ])('recognises an embedded standard sRGB profile (%s: %s)', async (profile, expected) => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#884422' } })
      .withIccProfile(profile)
      .jpeg()
      .toBuffer();
    expect((await readJpegHeader(jpeg, LIMITS)).standardSrgb).toBe(expected);
  });

  it('skipping an sRGB profile changes no colour: the transform it skips is the identity', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 60, b: 40 } } })
      .withIccProfile('srgb')
      .jpeg({ quality: 95 })
      .toBuffer();
    const display = { width: 400, height: 300 };
    const planned = planSizes(display, [{ rendition: THUMBNAIL, key: 'k' }]);
    const [converted] = await renderThumbnails(jpeg, { standardSrgb: false, display }, planned, OPTIONS);
    const [skipped] = await renderThumbnails(jpeg, { standardSrgb: true, display }, planned, OPTIONS);
    expect(colourDistance((await decode(converted!.body)).at(0.5, 0.5), (await decode(skipped!.body)).at(0.5, 0.5))).toBeLessThanOrEqual(2);
  });

  it.each((Object.keys(NOT_JPEG) as NotJpeg[]).filter((kind) => kind !== 'heic'))(
    'refuses %s bytes as UnsupportedFormatError',
    async (kind) => {
      await expect(readJpegHeader(await NOT_JPEG[kind](), LIMITS)).rejects.toThrow(UnsupportedFormatError);
    },
  );

  it('refuses HEIC by name, saying what to do', async () => {
    await expect(readJpegHeader(await NOT_JPEG.heic(), LIMITS)).rejects.toThrow(HeicNotSupportedError);
    await expect(readJpegHeader(await NOT_JPEG.heic(), LIMITS)).rejects.toThrow(/HEIC .* no HEVC decoder .* Upload JPEG instead/);
  });

  it('refuses a header that declares too many pixels, without decoding', async () => {
    const bomb = await headerBombJpeg(50_000, 50_000);
    expect(bomb.length).toBeLessThan(10_000);
    await expect(readJpegHeader(bomb, LIMITS)).rejects.toThrow(PixelLimitError);
  });

  it('refuses a progressive JPEG over the decode budget from its markers, before libvips reads it', async () => {
    const bomb = writeJpeg({
      width: 4000,
      height: 4000,
      components: [{ h: 1, v: 1 }],
      coding: 'progressive',
      scans: progressiveScript(1, 32),
      dc: () => 0,
    });
    await expect(readJpegHeader(bomb, { ...LIMITS, maxDecodeMs: 100 })).rejects.toThrow(DecodeLimitError);
    expect((await readJpegHeader(bomb, LIMITS)).decode.wholeImageBytes).toBe(250_000 * 128);
  });

  it('refuses an arithmetic-coded JPEG (no browser shows one) as UnsupportedJpegError', async () => {
    const jpeg = Buffer.from(await photoJpeg(64, 64));
    jpeg[jpeg.indexOf(Buffer.from([0xff, 0xc0])) + 1] = 0xc9;
    await expect(readJpegHeader(jpeg, LIMITS)).rejects.toThrow(UnsupportedJpegError);
  });

  it('refuses a JPEG cut off inside its header', async () => {
    const jpeg = await photoJpeg(64, 64);
    await expect(readJpegHeader(jpeg.subarray(0, 120), LIMITS)).rejects.toThrow(CorruptImageError);
  });
});

describe('renderThumbnails', () => {
  describe.each([
    ['landscape', 400, 300, 75],
    ['portrait', 300, 400, 133],
  ])('%s card in every EXIF orientation', (_, width, height, thumbHeight) => {
    it.each(ORIENTATIONS)('orientation %i comes out upright, 100 px wide, without an orientation tag', async (orientation) => {
      const { result, metadata, pixels } = await only(await orientedJpeg(width, height, orientation));
      expect([result.width, result.height]).toEqual([100, thumbHeight]);
      expect([metadata.width, metadata.height]).toEqual([100, thumbHeight]);
      expect(metadata.orientation).toBeUndefined();
      expect(metadata.exif).toBeUndefined();
      expect(colourDistance(pixels.at(0.25, 0.25), QUADRANT_COLOURS.topLeft)).toBeLessThan(40);
      expect(colourDistance(pixels.at(0.75, 0.25), QUADRANT_COLOURS.topRight)).toBeLessThan(40);
      expect(colourDistance(pixels.at(0.25, 0.75), QUADRANT_COLOURS.bottomLeft)).toBeLessThan(40);
      expect(colourDistance(pixels.at(0.75, 0.75), QUADRANT_COLOURS.bottomRight)).toBeLessThan(40);
    });
  });

  it('writes 8-bit sRGB JPEG from CMYK input', async () => {
    const input = await cmykJpeg(400, 300);
    expect((await sharp(input).metadata()).space).toBe('cmyk');
    const { metadata } = await only(input);
    expect(metadata).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3, depth: 'uchar', width: 100, height: 75 });
  });

  it('converts wide-gamut (Display P3) colours to sRGB and drops the profile', async () => {
    const colour = { r: 200, g: 60, b: 40 };
    const input = await displayP3Jpeg(200, 100, colour);
    // The file's own numbers are P3's, far from the sRGB ones: copying them unconverted would be wrong.
    const stored = await sharp(input, { ignoreIcc: true }).raw().toBuffer();
    expect(colourDistance({ r: stored[0] as number, g: stored[1] as number, b: stored[2] as number }, colour)).toBeGreaterThan(8);
    const { metadata, pixels } = await only(input);
    expect(metadata.hasProfile).toBe(false);
    expect(metadata.space).toBe('srgb');
    expect(colourDistance(pixels.at(0.5, 0.5), colour)).toBeLessThan(5);
  });

  it('writes grayscale input as 3-channel sRGB', async () => {
    const { metadata } = await only(await grayscaleJpeg(300, 200));
    expect(metadata).toMatchObject({ space: 'srgb', channels: 3 });
  });

  it('reads progressive input and writes a baseline JPEG', async () => {
    const input = await progressiveJpeg(400, 300);
    expect((await sharp(input).metadata()).isProgressive).toBe(true);
    const { metadata } = await only(input);
    expect(metadata.isProgressive).toBe(false);
  });

  it('strips GPS and camera EXIF, XMP, IPTC and ICC', async () => {
    const input = await gpsTaggedJpeg(400, 300);
    const inputExif = exifReader((await sharp(input).metadata()).exif as Buffer);
    expect(inputExif.GPSInfo?.GPSLatitude).toBeDefined();
    expect(inputExif.Image?.Make).toBe('ExampleCam');
    const { metadata } = await only(input);
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.iptc).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
  });

  it('handles a 60 KB EXIF block', async () => {
    const { metadata } = await only(await hugeExifJpeg(400, 300));
    expect(metadata.exif).toBeUndefined();
  });

  it.each([
    ['1x1', 1, 1, 1, 1],
    ['smaller than the width (never upscaled)', 80, 60, 80, 60],
    ['20000x100 panorama', 20_000, 100, 100, 1],
    ['wider than tall', 1000, 250, 100, 25],
    ['taller than wide', 250, 1000, 100, 400],
  ])('keeps the aspect ratio: %s', async (_, width, height, outWidth, outHeight) => {
    const { metadata } = await only(await photoJpeg(width, height));
    expect([metadata.width, metadata.height]).toEqual([outWidth, outHeight]);
  });

  it('renders several widths from one decode, each at its planned size', async () => {
    const results = await thumbnail(await photoJpeg(1600, 1200), [100, 400, 1200]);
    const sizes = await Promise.all(
      results.map(async (r) => [r.key, (await sharp(r.body).metadata()).width, (await sharp(r.body).metadata()).height]),
    );
    expect(sizes).toEqual([
      ['w100', 100, 75],
      ['w400', 400, 300],
      ['w1200', 1200, 900],
    ]);
  });

  it('refuses a truncated JPEG', async () => {
    await expect(thumbnail(await truncatedJpeg(800, 600))).rejects.toThrow(CorruptImageError);
  });

  it('refuses a JPEG whose entropy-coded data libjpeg reports as corrupt', async () => {
    await expect(thumbnail(await corruptJpeg(800, 600))).rejects.toThrow(/premature end of data segment/);
    await expect(thumbnail(await corruptJpeg(800, 600))).rejects.toThrow(CorruptImageError);
  });

  it('cannot detect damage that still decodes (JPEG has no checksum)', async () => {
    const [result] = await thumbnail(await silentlyDamagedJpeg(800, 600));
    expect(result?.width).toBe(100);
  });
});

describe('renditions', () => {
  const SITE: Rendition[] = [
    THUMBNAIL,
    { name: 'avatar', width: 256, height: 256, fit: 'cover', format: 'webp', quality: 80 },
    { name: 'preview', width: 1200, format: 'webp', quality: 75 },
    { name: 'card', width: 300, height: 300, fit: 'inside', format: 'avif', quality: 50 },
  ];

  it('cuts every rendition from one decode, each in its format and size, upright, sRGB, without metadata', async () => {
    const results = await render(await orientedJpeg(1200, 1600, 6), SITE);
    const read = await Promise.all(
      results.map(async (r) => ({ key: r.key, metadata: await sharp(r.body).metadata(), pixels: await decode(r.body) })),
    );
    expect(read.map(({ key, metadata }) => [key, metadata.format, metadata.width, metadata.height])).toEqual([
      ['thumbnail', 'jpeg', 100, 133],
      ['avatar', 'webp', 256, 256],
      ['preview', 'webp', 1200, 1600],
      ['card', 'heif', 225, 300],
    ]);
    for (const { metadata, pixels, key } of read) {
      expect([key, metadata.orientation, metadata.exif, metadata.icc]).toEqual([key, undefined, undefined, undefined]);
      // Upright: the portrait's quadrant colours where they belong, the square crop from its centre.
      if (key !== 'avatar') expect(colourDistance(pixels.at(0.25, 0.1), QUADRANT_COLOURS.topLeft)).toBeLessThan(40);
    }
    expect(read.find((r) => r.key === 'card')?.metadata.compression).toBe('av1');
  });

  it('crops a cover rendition from the centre', async () => {
    // 400x300 quadrants: a 100x100 cover crop of the middle third keeps all four colours at its corners.
    const [avatar] = await render(await orientedJpeg(400, 300, 1), [
      { name: 'avatar', width: 100, height: 100, fit: 'cover', format: 'jpeg', quality: 90 },
    ]);
    const pixels = await decode(avatar!.body);
    expect([pixels.width, pixels.height]).toEqual([100, 100]);
    expect(colourDistance(pixels.at(0.1, 0.1), QUADRANT_COLOURS.topLeft)).toBeLessThan(40);
    expect(colourDistance(pixels.at(0.9, 0.9), QUADRANT_COLOURS.bottomRight)).toBeLessThan(40);
  });

  it('renders the default thumbnail alone exactly as a single 100 px JPEG pipeline would', async () => {
    const input = await photoJpeg(1600, 1200);
    const [alone] = await render(input, [THUMBNAIL]);
    const direct = await sharp(input, { autoOrient: true, failOn: 'warning', sequentialRead: true, ignoreIcc: true })
      .resize({ width: 100, height: 75, fit: 'fill' })
      .toColourspace('srgb')
      .jpeg({ quality: 80 })
      .toBuffer();
    expect(Buffer.from(alone!.body).equals(direct)).toBe(true);
  });

  it('streams each output from the source where one shared image would be too large', async () => {
    // A narrow, tall source (18 MP): the 300x300 crop needs it at full scale, over the 16.7 MP
    // bound on what is held at once, so each output is rendered from the source in turn.
    const input = await photoJpeg(300, 60_000);
    const renditions: Rendition[] = [THUMBNAIL, { name: 'square', width: 300, height: 300, fit: 'cover', format: 'jpeg', quality: 80 }];
    const planned = planSizes(
      { width: 300, height: 60_000 },
      renditions.map((rendition) => ({ rendition, key: rendition.name })),
    );
    expect(planIntermediate({ width: 300, height: 60_000 }, planned)).toBeUndefined();
    const results = await render(input, renditions);
    expect(results.map((r) => [r.key, r.width, r.height])).toEqual([
      ['thumbnail', 100, 20_000],
      ['square', 300, 300],
    ]);
    expect((await sharp(results[1]!.body).metadata()).width).toBe(300);
  });

  it('names the rendition that failed', async () => {
    const truncated = await truncatedJpeg(800, 600);
    const error = await render(truncated, [
      THUMBNAIL,
      { name: 'avatar', width: 64, height: 64, fit: 'cover', format: 'webp', quality: 80 },
    ]).catch((e) => e);
    expect(error).toBeInstanceOf(CorruptImageError);
    const single = await render(truncated, [{ name: 'avatar', width: 64, height: 64, fit: 'cover', format: 'webp', quality: 80 }]).catch(
      (e) => e,
    );
    expect(single).toMatchObject({ rendition: 'avatar', message: expect.stringMatching(/^rendition "avatar": cannot decode JPEG/) });
  });
});

describe('sharedDeadline', () => {
  it('gives the first pipeline all of it, each later one what is left, and refuses to start after it', () => {
    let now = 1_000;
    const secondsLeft = sharedDeadline(5, () => now);
    expect(secondsLeft()).toBe(5);
    now += 2_400;
    expect(secondsLeft()).toBe(2);
    now += 2_000;
    expect(secondsLeft()).toBe(1); // 0.6 s left: libvips counts whole seconds, at least one
    now += 600;
    expect(() => secondsLeft()).toThrow(RenderTimeoutError);
  });

  it('is no deadline at 0', () => {
    const secondsLeft = sharedDeadline(0, () => 0);
    expect([secondsLeft(), secondsLeft()]).toEqual([0, 0]);
  });
});

describe('encodeGroups', () => {
  it('keeps the order and every output, and no group over the bound unless it is one output alone', () => {
    const size = fc.record({ width: fc.integer({ min: 1, max: 4096 }), height: fc.integer({ min: 1, max: 4096 }) });
    fc.assert(
      fc.property(fc.array(size, { maxLength: 8 }), fc.integer({ min: 1, max: 4096 * 4096 }), (outputs, max) => {
        const groups = encodeGroups(outputs, max);
        expect(groups.flat()).toEqual(outputs);
        for (const group of groups) {
          expect(group.length).toBeGreaterThan(0);
          if (group.length > 1) expect(group.reduce((sum, o) => sum + o.width * o.height, 0)).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it("puts a site's set (thumbnail, avatar, 1200 px preview) in one group", () => {
    const site = [
      { width: 100, height: 75 },
      { width: 256, height: 256 },
      { width: 1200, height: 900 },
    ];
    expect(encodeGroups(site, 4096 * 4096)).toEqual([site]);
  });
});

describe('renderError', () => {
  it("names a render libvips stopped at its deadline (its message: 'timeout: 17% complete') RenderTimeoutError", () => {
    const error = renderError(new Error('timeout: 17% complete\nVipsImage: killed for image "temp-180"'), 9);
    expect(error).toBeInstanceOf(RenderTimeoutError);
    expect(error.message).toBe('rendering was stopped after its 9 s deadline');
    expect(error.failureClass).toBe('permanent');
  });

  it('names any other render failure CorruptImageError', () => {
    expect(renderError(new Error('VipsJpeg: Premature end of input file'), 9)).toBeInstanceOf(CorruptImageError);
  });
});
