/**
 * What decoding a PNG, WebP, GIF or AVIF will cost, from its header alone, and the limits that keep
 * every upload cheap, as decode-cost.ts does for JPEG: refused before libvips sees it, with a typed
 * error naming the limit. Pure.
 *
 * The time model is bytes in and pixels out: the decoder's entropy work follows the compressed
 * bytes, its reconstruction the raw bytes of the image. The constants are nanoseconds on the
 * reference machine (2-core AMD EPYC, sharp 0.35, one libvips thread), fitted as upper bounds to
 * noise (the worst entropy) and to flat images of 12 MP; `make bench` prints estimate and measured
 * time side by side for every format's worst case. Memory: what a decoder holds whole (an
 * interlaced PNG, a WebP, GIF or AVIF frame) counts against the same share of the function's
 * memory as a progressive JPEG's coefficients.
 */

import { INPUT_FORMATS, type InputFormat, LIMITS } from './constants';
import { type DecodeLimits, describeMegabytes } from './decode-cost';
import { DECODE_LIMIT, DecodeLimitError, HeicNotSupportedError, PixelLimitError, UnsupportedVariantError } from './errors';
import type { GifStructure } from './gif-structure';
import { type IsobmffStructure, ITEM_CODINGS } from './isobmff-structure';
import { type PngStructure, pngPixelLayout } from './png-structure';
import type { DecodeEstimate } from './types';
import type { WebpStructure } from './webp-structure';

/** Reference-machine nanoseconds per unit of work, by format. */
export const FORMAT_COST_NS = {
  /** libpng: inflate each compressed byte, unfilter each raw byte (Adam7: several passes and a copy). */
  png: { compressedByte: 2.5, rawByte: 1.8, interlacedRawByte: 7.5 },
  /** libwebp: entropy-decode each byte, reconstruct each pixel (lossy shrinks on load, so pixels cost little). */
  webp: { lossyByte: 65, losslessByte: 60, pixel: 3 },
  /** libnsgif: LZW-decode the bytes (it walks every frame's data when it opens), composite the first frame's pixels. */
  gif: { byte: 12, pixel: 9 },
  /** libheif with aom: AV1 decode of each byte and each pixel of every tile (fitted, then raised a fifth: the worst accepted AVIF, noise at the limits, measured 1.6 s to decode and 2.06 s end to end in a whole make bench run at the first fit). */
  avif: { byte: 80, pixel: 160 },
} as const;

const ms = (ns: number) => ns / 1e6;

const estimate = (pixels: number, decodeNs: number, wholeImageBytes: number): DecodeEstimate => ({
  pixels,
  blocks: 0,
  blockVisits: 0,
  wholeImageBytes,
  decodeMs: ms(decodeNs),
});

/** The limits every format shares: pixels, memory held whole, estimated time. */
function checkEstimate(format: InputFormat, width: number, height: number, result: DecodeEstimate, limits: DecodeLimits): DecodeEstimate {
  const label = INPUT_FORMATS[format].label;
  if (width * height > limits.maxInputPixels) throw new PixelLimitError(width, height, limits.maxInputPixels);
  if (result.wholeImageBytes > limits.maxDecodeBytes)
    throw new DecodeLimitError(
      DECODE_LIMIT.memory,
      `a ${width}x${height} ${label} is decoded whole, holding ${describeMegabytes(result.wholeImageBytes)}; ${describeMegabytes(limits.maxDecodeBytes)} is allowed`,
    );
  if (result.decodeMs > limits.maxDecodeMs)
    throw new DecodeLimitError(
      DECODE_LIMIT.work,
      `decoding this ${width}x${height} ${label} is estimated at ${Math.round(result.decodeMs)} ms; ${limits.maxDecodeMs} ms is allowed`,
    );
  return result;
}

const checkFrames = (label: string, frames: number) => {
  if (frames > LIMITS.maxFrames)
    throw new DecodeLimitError(
      DECODE_LIMIT.frames,
      `${label} of more than ${LIMITS.maxFrames} frames (only the first is thumbnailed, but the decoder walks them all)`,
    );
};

const checkMetadata = (label: string, metadata: { readonly bytes: number }, count: number) => {
  if (count > LIMITS.maxMetadataSegments || metadata.bytes > LIMITS.maxMetadataBytes)
    throw new DecodeLimitError(
      DECODE_LIMIT.metadata,
      `${label} with ${count} metadata blocks of ${describeMegabytes(metadata.bytes)}; at most ${LIMITS.maxMetadataSegments} and ${describeMegabytes(LIMITS.maxMetadataBytes)} accepted`,
    );
};

/** A PNG: chunks, frames (APNG) and metadata counted, then its inflate and unfilter time, and an interlaced one's memory. */
export function checkPng(structure: PngStructure, limits: DecodeLimits): DecodeEstimate {
  if (structure.chunks > LIMITS.maxPngChunks)
    throw new DecodeLimitError(DECODE_LIMIT.chunks, `${structure.chunks} PNG chunks, at most ${LIMITS.maxPngChunks} accepted`);
  checkFrames('an animated PNG', structure.frames);
  checkMetadata('a PNG', structure.metadata, structure.metadata.chunks);
  const { channels, bytesPerSample } = pngPixelLayout(structure);
  const pixels = structure.width * structure.height;
  // Each row is one filter byte and its samples; palette and sub-byte greys expand on decode.
  const rawBytes = pixels * channels * bytesPerSample;
  const cost = FORMAT_COST_NS.png;
  const ns = structure.idat.bytes * cost.compressedByte + rawBytes * (structure.interlaced ? cost.interlacedRawByte : cost.rawByte);
  return checkEstimate('png', structure.width, structure.height, estimate(pixels, ns, structure.interlaced ? rawBytes : 0), limits);
}

/** A GIF: frames counted, then the LZW work of the whole file and the first frame's canvas (RGBA, twice: decoder and image). */
export function checkGif(structure: GifStructure, fileBytes: number, limits: DecodeLimits): DecodeEstimate {
  checkFrames('a GIF', structure.frames);
  checkMetadata('a GIF', structure.metadata, structure.metadata.blocks);
  const width = Math.max(structure.width, structure.largestFrame.width);
  const height = Math.max(structure.height, structure.largestFrame.height);
  const pixels = width * height;
  const ns = fileBytes * FORMAT_COST_NS.gif.byte + pixels * FORMAT_COST_NS.gif.pixel;
  return checkEstimate('gif', width, height, estimate(pixels, ns, pixels * 4 * 2), limits);
}

/** A WebP: frames counted, then its entropy and reconstruction work, and the frame libwebp decodes whole (RGBA). */
export function checkWebp(structure: WebpStructure, fileBytes: number, limits: DecodeLimits): DecodeEstimate {
  checkFrames('an animated WebP', structure.frames);
  checkMetadata('a WebP', structure.metadata, structure.metadata.chunks);
  const pixels = structure.width * structure.height;
  const cost = FORMAT_COST_NS.webp;
  const ns = fileBytes * (structure.kind === 'lossless' ? cost.losslessByte : cost.lossyByte) + pixels * cost.pixel;
  return checkEstimate('webp', structure.width, structure.height, estimate(pixels, ns, pixels * 4), limits);
}

/**
 * A HEIF-family file: HEVC-coded (HEIC) refused by name, anything but AV1 refused, grids and items
 * counted, then AV1's decode time and the whole image libheif assembles (YUV planes and RGB).
 */
export function checkAvif(structure: IsobmffStructure, fileBytes: number, limits: DecodeLimits): DecodeEstimate {
  const { primary } = structure;
  if (primary.coding === ITEM_CODINGS.hevc) throw new HeicNotSupportedError();
  if (primary.coding !== ITEM_CODINGS.av1)
    throw new UnsupportedVariantError(
      'AVIF',
      `its primary image is "${primary.type}"${primary.type === 'grid' ? ' of tiles that are not AV1' : ''}, not AV1`,
    );
  if (structure.items > LIMITS.maxHeifItems)
    throw new DecodeLimitError(DECODE_LIMIT.tiles, `${structure.items} items, at most ${LIMITS.maxHeifItems} accepted`);
  if (primary.tiles > LIMITS.maxAvifTiles)
    throw new DecodeLimitError(DECODE_LIMIT.tiles, `a grid of ${primary.tiles} tiles, at most ${LIMITS.maxAvifTiles} accepted`);
  if (primary.bitDepth > 12) throw new UnsupportedVariantError('AVIF', `${primary.bitDepth}-bit samples`);
  const pixels = primary.width * primary.height;
  const bytesPerSample = primary.bitDepth > 8 ? 2 : 1;
  const ns = fileBytes * FORMAT_COST_NS.avif.byte + pixels * FORMAT_COST_NS.avif.pixel;
  // YUV planes (up to 3 samples a pixel) and the RGBA image made from them.
  return checkEstimate('avif', primary.width, primary.height, estimate(pixels, ns, pixels * bytesPerSample * (3 + 4)), limits);
}
