/**
 * The chunk structure of a PNG, read without inflating a byte: the IHDR (which must come first:
 * size, bit depth, colour type, interlacing), how many chunks of each kind follow and how large
 * they are, and whether it is an animated PNG (acTL). Pure, linear in the input, and strict.
 */

import { fourcc, u32be } from './bytes';
import { CorruptImageError } from './errors';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Colour types (PNG §11.2.2) and the channels each decodes to. */
export const PNG_COLOUR_TYPES: Readonly<
  Record<number, { readonly name: string; readonly channels: number; readonly depths: readonly number[] }>
> = {
  0: { name: 'grey', channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'RGB', channels: 3, depths: [8, 16] },
  3: { name: 'palette', channels: 3, depths: [1, 2, 4, 8] },
  4: { name: 'grey + alpha', channels: 2, depths: [8, 16] },
  6: { name: 'RGBA', channels: 4, depths: [8, 16] },
};

export interface PngStructure {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  /** Adam7: libpng must hold the whole image to de-interlace it. */
  readonly interlaced: boolean;
  /** tRNS: a palette or colour made transparent, so the decoded image has alpha. */
  readonly transparency: boolean;
  readonly chunks: number;
  readonly idat: { readonly chunks: number; readonly bytes: number };
  /** Text, ICC, EXIF and private chunks. */
  readonly metadata: { readonly chunks: number; readonly bytes: number };
  /** Frames an animated PNG (acTL) declares; 1 for a still one. */
  readonly frames: number;
}

const malformed = (detail: string) => new CorruptImageError(`malformed PNG: ${detail}`);

/** Chunks that carry pixels or are needed to decode them; anything else is metadata or private. */
const IMAGE_CHUNKS = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'sBIT',
  'bKGD',
  'pHYs',
  'acTL',
  'fcTL',
  'fdAT',
]);

/**
 * Read a PNG's chunk structure up to IEND (anything after it is not part of the image). Refuses a
 * file that ends inside a chunk, an IHDR that is missing, not first or impossible, and a PNG with
 * no IDAT.
 */
export function readPngStructure(bytes: Uint8Array): PngStructure {
  if (!PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) throw malformed('no PNG signature');
  let at = 8;
  let header: Omit<PngStructure, 'chunks' | 'idat' | 'metadata' | 'frames' | 'transparency'> | undefined;
  let chunks = 0;
  let transparency = false;
  let frames = 1;
  const idat = { chunks: 0, bytes: 0 };
  const metadata = { chunks: 0, bytes: 0 };
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw malformed(`ends inside a chunk at byte ${at}`);
    const length = u32be(bytes, at);
    const name = fourcc(bytes, at + 4);
    const data = at + 8;
    if (!/^[A-Za-z]{4}$/.test(name)) throw malformed(`chunk at byte ${at} has no valid type`);
    if (length > 0x7fffffff || data + length + 4 > bytes.length)
      throw malformed(`chunk ${name} at byte ${at} runs past the end of the file`);
    chunks++;
    if (chunks === 1 && name !== 'IHDR') throw malformed(`the first chunk is ${name}, not IHDR`);
    if (name === 'IHDR') {
      if (chunks !== 1) throw malformed('a second IHDR');
      if (length !== 13) throw malformed(`IHDR of ${length} bytes`);
      const colourType = bytes[data + 9] as number;
      const bitDepth = bytes[data + 8] as number;
      const kind = PNG_COLOUR_TYPES[colourType];
      if (!kind?.depths.includes(bitDepth)) throw malformed(`colour type ${colourType} with bit depth ${bitDepth}`);
      if (bytes[data + 10] !== 0 || bytes[data + 11] !== 0 || (bytes[data + 12] as number) > 1)
        throw malformed('unknown compression, filter or interlace method');
      header = { width: u32be(bytes, data), height: u32be(bytes, data + 4), bitDepth, colourType, interlaced: bytes[data + 12] === 1 };
      if (header.width === 0 || header.height === 0 || header.width > 0x7fffffff || header.height > 0x7fffffff)
        throw malformed(`IHDR declares ${header.width}x${header.height}`);
    } else if (name === 'IDAT') {
      idat.chunks++;
      idat.bytes += length;
    } else if (name === 'tRNS') transparency = true;
    else if (name === 'acTL' && length >= 8) frames = Math.max(1, u32be(bytes, data));
    else if (!IMAGE_CHUNKS.has(name)) {
      metadata.chunks++;
      metadata.bytes += length;
    }
    at = data + length + 4;
    if (name === 'IEND') break;
  }
  if (!header) throw malformed('no IHDR');
  if (idat.chunks === 0) throw malformed('no image data (IDAT)');
  return { ...header, transparency, chunks, idat, metadata, frames };
}

/** Channels the decoded image has (alpha included), and bytes per sample. */
export function pngPixelLayout(structure: Pick<PngStructure, 'colourType' | 'bitDepth' | 'transparency'>): {
  channels: number;
  bytesPerSample: number;
} {
  const base = PNG_COLOUR_TYPES[structure.colourType]?.channels ?? 4;
  const alphaFromTrns = structure.transparency && (structure.colourType === 0 || structure.colourType === 2 || structure.colourType === 3);
  return { channels: base + (alphaFromTrns ? 1 : 0), bytesPerSample: structure.bitDepth === 16 ? 2 : 1 };
}
