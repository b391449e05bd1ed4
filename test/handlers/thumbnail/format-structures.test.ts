import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../../handlers/thumbnail/errors';
import { readGifStructure } from '../../../handlers/thumbnail/gif-structure';
import { readIsobmffStructure } from '../../../handlers/thumbnail/isobmff-structure';
import { pngPixelLayout, readPngStructure } from '../../../handlers/thumbnail/png-structure';
import { readWebpStructure } from '../../../handlers/thumbnail/webp-structure';
import {
  anmf,
  heifStructure,
  pngChunk,
  riffChunk,
  vp8x,
  webpBitstream,
  webpFile,
  writeGif,
  writePng,
} from '../../../scripts/lib/format-writers';

const image = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } });

describe('readPngStructure', () => {
  it('reads what sharp writes: size, depth, colour type, interlacing, transparency', async () => {
    expect(readPngStructure(await image(300, 200, 4).png().toBuffer())).toMatchObject({
      width: 300,
      height: 200,
      bitDepth: 8,
      colourType: 6,
      interlaced: false,
    });
    expect(readPngStructure(await image(30, 20).png({ progressive: true }).toBuffer()).interlaced).toBe(true);
    const palette = readPngStructure(await image(30, 20, 4).png({ palette: true }).toBuffer());
    expect(palette).toMatchObject({ colourType: 3, transparency: true });
    expect(pngPixelLayout(palette)).toEqual({ channels: 4, bytesPerSample: 1 });
    expect(pngPixelLayout(readPngStructure(await image(30, 20).toColourspace('rgb16').png().toBuffer()))).toEqual({
      channels: 3,
      bytesPerSample: 2,
    });
  });

  it("counts chunks, image data and metadata, and an animation's declared frames", () => {
    const actl = Buffer.alloc(8);
    actl.writeUInt32BE(12, 0);
    const png = writePng({
      width: 4,
      height: 4,
      bitDepth: 8,
      colourType: 2,
      idat: Buffer.alloc(40),
      idatChunkSize: 10,
      before: [pngChunk('tEXt', Buffer.from('a\0b')), pngChunk('acTL', actl)],
    });
    expect(readPngStructure(png)).toMatchObject({
      chunks: 8,
      idat: { chunks: 4, bytes: 40 },
      metadata: { chunks: 1, bytes: 3 },
      frames: 12,
    });
  });

  it.each([
    ['no signature', Buffer.from('not a png at all')],
    ['IHDR not first', writePng({ width: 4, height: 4, bitDepth: 8, colourType: 2, idat: Buffer.alloc(4), ihdrNotFirst: true })],
    ['an impossible colour type and depth', writePng({ width: 4, height: 4, bitDepth: 16, colourType: 3, idat: Buffer.alloc(4) })],
    ['a zero width', writePng({ width: 0, height: 4, bitDepth: 8, colourType: 2, idat: Buffer.alloc(4) })],
    [
      'a chunk running past the end',
      writePng({ width: 4, height: 4, bitDepth: 8, colourType: 2, idat: Buffer.alloc(400) }).subarray(0, 100),
    ],
  ])('refuses %s', (_, bytes) => {
    expect(() => readPngStructure(bytes)).toThrow(CorruptImageError);
  });
});

describe('readGifStructure', () => {
  it('reads the logical screen and counts frames, stopping past the limit', async () => {
    expect(readGifStructure(await image(80, 60).gif().toBuffer())).toMatchObject({
      width: 80,
      height: 60,
      frames: 1,
      truncatedCount: false,
    });
    expect(readGifStructure(writeGif({ width: 9, height: 7, frames: 40 }))).toMatchObject({ width: 9, height: 7, frames: 40 });
    expect(readGifStructure(writeGif({ width: 9, height: 7, frames: 40 }), 10)).toMatchObject({ frames: 11, truncatedCount: true });
  });

  it('refuses a file that ends inside a block', () => {
    expect(() => readGifStructure(writeGif({ width: 9, height: 7, frames: 2 }).subarray(0, 20))).toThrow(CorruptImageError);
  });
});

describe('readWebpStructure', () => {
  it('reads lossy, lossless and extended WebPs, their alpha and animation frames', async () => {
    expect(readWebpStructure(await image(300, 200).webp().toBuffer())).toMatchObject({
      width: 300,
      height: 200,
      kind: 'lossy',
      alpha: false,
      frames: 1,
    });
    expect(readWebpStructure(await image(300, 200, 4).webp({ lossless: true }).toBuffer())).toMatchObject({
      width: 300,
      height: 200,
      kind: 'lossless',
      alpha: true,
    });
    const bitstream = webpBitstream(await image(16, 16).webp({ lossless: true }).toBuffer());
    const animated = webpFile([
      vp8x(16, 16, { animation: true }),
      riffChunk('ANIM', Buffer.alloc(6)),
      ...Array.from({ length: 7 }, () => anmf(16, 16, bitstream)),
    ]);
    expect(readWebpStructure(animated)).toMatchObject({ animated: true, frames: 7, kind: 'lossless' });
    expect(readWebpStructure(webpFile([vp8x(16_384, 16_384), bitstream]))).toMatchObject({ width: 16_384, height: 16_384 });
  });

  it('refuses a RIFF that is not WebP, or holds no image', () => {
    expect(() => readWebpStructure(Buffer.from('RIFF\x04\x00\x00\x00WAVE'))).toThrow(CorruptImageError);
    expect(() => readWebpStructure(webpFile([riffChunk('EXIF', Buffer.alloc(4))]))).toThrow(/no image bitstream/);
  });
});

describe('readIsobmffStructure', () => {
  it('reads an AVIF: brands, an AV1 primary item, its size and bit depth', async () => {
    const avif = readIsobmffStructure(await image(300, 200).avif({ effort: 0, bitdepth: 10 }).toBuffer());
    expect(avif.brands).toContain('avif');
    expect(avif.primary).toEqual({ type: 'av01', coding: 'av1', width: 300, height: 200, bitDepth: 10, tiles: 1 });
  });

  it('tells a grid and its tiles, and an HEVC image, from their items', () => {
    const grid = readIsobmffStructure(heifStructure({ brands: ['avif', 'mif1'], tileType: 'av01', tiles: 48, width: 4032, height: 3024 }));
    expect(grid.primary).toMatchObject({ type: 'grid', coding: 'av1', tiles: 48, width: 4032, height: 3024 });
    expect(grid.items).toBe(49);
    expect(
      readIsobmffStructure(heifStructure({ brands: ['heic', 'mif1'], tileType: 'hvc1', tiles: 0, width: 64, height: 64 })).primary.coding,
    ).toBe('hevc');
  });

  it('refuses a file without a still image, and stops counting at its box limit', () => {
    expect(() => readIsobmffStructure(Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypavis'), Buffer.alloc(4)]))).toThrow(
      /no meta box/,
    );
    const many = heifStructure({ brands: ['avif'], tileType: 'av01', tiles: 200, width: 64, height: 64 });
    expect(() => readIsobmffStructure(many, 100)).toThrow(/more than 100 boxes/);
  });
});
