import { describe, expect, it } from 'vitest';
import { decodeLimitsFor } from '../../../handlers/thumbnail/decode-cost';
import { DecodeLimitError, HeicNotSupportedError, PixelLimitError, UnsupportedVariantError } from '../../../handlers/thumbnail/errors';
import { checkAvif, checkGif, checkPng, checkWebp, FORMAT_COST_NS } from '../../../handlers/thumbnail/image-cost';
import type { IsobmffStructure } from '../../../handlers/thumbnail/isobmff-structure';
import type { PngStructure } from '../../../handlers/thumbnail/png-structure';

const LIMITS = decodeLimitsFor({ maxInputPixels: 100_000_000, maxDecodeMs: 1500, functionMemoryMB: 1024 }, 1_000_000);
const png = (overrides: Partial<PngStructure> = {}): PngStructure => ({
  width: 4000,
  height: 3000,
  bitDepth: 8,
  colourType: 2,
  interlaced: false,
  transparency: false,
  chunks: 10,
  idat: { chunks: 5, bytes: 20_000_000 },
  metadata: { chunks: 1, bytes: 100 },
  frames: 1,
  ...overrides,
});
const avif = (primary: Partial<IsobmffStructure['primary']> = {}): IsobmffStructure => ({
  majorBrand: 'avif',
  brands: ['avif', 'mif1'],
  primary: { type: 'av01', coding: 'av1', width: 2000, height: 1500, bitDepth: 8, tiles: 1, ...primary },
  items: 2,
  boxes: 20,
});

describe('checkPng', () => {
  it('estimates inflate and unfilter time from the compressed and raw bytes, and holds nothing whole unless interlaced', () => {
    const estimate = checkPng(png(), LIMITS);
    const raw = 4000 * 3000 * 3;
    expect(estimate.decodeMs).toBeCloseTo((20_000_000 * FORMAT_COST_NS.png.compressedByte + raw * FORMAT_COST_NS.png.rawByte) / 1e6);
    expect(estimate.wholeImageBytes).toBe(0);
    expect(checkPng(png({ interlaced: true }), LIMITS).wholeImageBytes).toBe(raw);
  });

  it.each([
    ['pixels', png({ width: 20_000, height: 20_000 }), PixelLimitError],
    [
      'memory: an interlaced 10000x10000 RGBA 16-bit is decoded whole',
      png({ width: 10_000, height: 10_000, bitDepth: 16, colourType: 6, interlaced: true }),
      DecodeLimitError,
    ],
    [
      'work',
      png({ width: 10_000, height: 10_000, bitDepth: 16, colourType: 6, idat: { chunks: 1, bytes: 400_000_000 } }),
      DecodeLimitError,
    ],
    ['chunks', png({ chunks: 70_000 }), DecodeLimitError],
    ['frames', png({ frames: 5_000 }), DecodeLimitError],
    ['metadata', png({ metadata: { chunks: 600, bytes: 600 } }), DecodeLimitError],
  ])('refuses over the %s limit, before decoding', (_, structure, error) => {
    expect(() => checkPng(structure, LIMITS)).toThrow(error);
  });
});

describe('checkGif and checkWebp', () => {
  const gif = {
    width: 800,
    height: 600,
    frames: 3,
    largestFrame: { width: 800, height: 600 },
    metadata: { blocks: 1, bytes: 10 },
    truncatedCount: false,
  };
  it('counts frames and a canvas, and a frame larger than the canvas', () => {
    expect(checkGif(gif, 1_000_000, LIMITS).pixels).toBe(480_000);
    expect(checkGif({ ...gif, largestFrame: { width: 20_000, height: 600 } }, 1000, LIMITS).pixels).toBe(20_000 * 600);
    expect(() => checkGif({ ...gif, frames: 1_001 }, 1000, LIMITS)).toThrow(/over the frames limit/);
    expect(() => checkGif({ ...gif, width: 65_535, height: 65_535 }, 1000, LIMITS)).toThrow(PixelLimitError);
  });

  it('prices lossy WebP by its bytes, and refuses an animation of thousands of frames', () => {
    const still = {
      width: 4000,
      height: 3000,
      kind: 'lossy' as const,
      alpha: false,
      animated: false,
      frames: 1,
      metadata: { chunks: 0, bytes: 0 },
    };
    expect(checkWebp(still, 9_500_000, LIMITS).decodeMs).toBeGreaterThan(585);
    expect(() => checkWebp({ ...still, animated: true, frames: 5_000 }, 1000, LIMITS)).toThrow(/over the frames limit/);
    expect(() => checkWebp(still, 40_000_000, LIMITS)).toThrow(/over the work limit/);
  });
});

describe('checkAvif', () => {
  it('refuses HEVC (HEIC) by name, other codings and grids over the limit', () => {
    expect(() => checkAvif(avif({ coding: 'hevc', type: 'hvc1' }), 1000, LIMITS)).toThrow(HeicNotSupportedError);
    expect(() => checkAvif(avif({ coding: 'other', type: 'jpeg' }), 1000, LIMITS)).toThrow(UnsupportedVariantError);
    expect(() => checkAvif(avif({ type: 'grid', tiles: 2_000 }), 1000, LIMITS)).toThrow(/over the tiles limit/);
  });

  it('prices AV1 decode per pixel and per byte: a 12 MP AVIF is over the default budget', () => {
    expect(checkAvif(avif(), 300_000, LIMITS).decodeMs).toBeLessThan(1500);
    expect(() => checkAvif(avif({ width: 4000, height: 3000 }), 3_000_000, LIMITS)).toThrow(/over the work limit/);
  });
});
