import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { progressiveScript, writeJpeg } from '../../../scripts/lib/jpeg-writer';

/** Decoded with libjpeg's warnings as errors: what the handler accepts. */
const strictDecode = (jpeg: Buffer) => sharp(jpeg, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
/** DC values are per 8x8 block: blocks 0-3 of a 64 px row are its left half. */
const halves = (_c: number, blockX: number) => (blockX < 4 ? -100 : 100);

describe('writeJpeg', () => {
  it.each([
    ['baseline greyscale', { components: [{ h: 1, v: 1 }], coding: 'baseline' as const }],
    [
      'baseline 4:2:0 with a restart marker after every MCU',
      {
        components: [
          { h: 2, v: 2 },
          { h: 1, v: 1 },
          { h: 1, v: 1 },
        ],
        coding: 'baseline' as const,
        restartInterval: 1,
      },
    ],
    [
      'progressive, 32 scans',
      {
        components: [
          { h: 2, v: 2 },
          { h: 1, v: 1 },
          { h: 1, v: 1 },
        ],
        coding: 'progressive' as const,
        scans: progressiveScript(3, 32),
      },
    ],
    [
      'progressive, tables before every scan',
      { components: [{ h: 1, v: 1 }], coding: 'progressive' as const, scans: progressiveScript(1, 20), tablesBeforeEveryScan: true },
    ],
  ])('writes a %s JPEG that libjpeg decodes without a warning, showing its DC image', async (_, spec) => {
    const { data, info } = await strictDecode(writeJpeg({ width: 64, height: 32, dc: (c, x) => (c === 0 ? halves(c, x) : 0), ...spec }));
    expect([info.width, info.height]).toEqual([64, 32]);
    // Left half dark (128 - 100), right half light (128 + 100): block means, whatever the colour space.
    expect(data[0]).toBeLessThan(60);
    expect(data[(16 * 64 + 60) * info.channels]).toBeGreaterThan(190);
  });

  it('writes a lossless JPEG of the given samples', async () => {
    const { data, info } = await strictDecode(
      writeJpeg({ width: 32, height: 8, components: [{ h: 1, v: 1 }], coding: 'lossless', dc: (_c, x, y) => x * 3 - 64 + y }),
    );
    expect(data[(2 * 32 + 5) * info.channels]).toBe(128 + 5 * 3 - 64 + 2);
  });
});

describe('progressiveScript', () => {
  it.each([
    [1, 2],
    [1, 100],
    [3, 10],
    [3, 883],
  ])('makes a legal script of exactly the scans asked for (%i component(s), %i scans)', async (components, count) => {
    const scans = progressiveScript(components, count);
    expect(scans).toHaveLength(count);
    const jpeg = writeJpeg({
      width: 24,
      height: 24,
      components: Array.from({ length: components }, () => ({ h: 1, v: 1 })),
      coding: 'progressive',
      scans,
      dc: () => 10,
    });
    await expect(strictDecode(jpeg)).resolves.toBeDefined();
  });

  it('refuses more scans than a legal progression has', () => {
    expect(() => progressiveScript(1, 1 + 63 * 14 + 1)).toThrow(RangeError);
  });
});
