/**
 * The RIFF structure of a WebP, read without decoding: which bitstream it is (lossy VP8, lossless
 * VP8L, or the extended VP8X with alpha, metadata and animation), its canvas size, and how many
 * animation frames it holds. Pure, linear in the input.
 */

import { fourcc, u24le, u32le } from './bytes';
import { CorruptImageError } from './errors';

export const WEBP_KINDS = { lossy: 'lossy', lossless: 'lossless' } as const;

export interface WebpStructure {
  readonly width: number;
  readonly height: number;
  readonly kind: 'lossy' | 'lossless';
  readonly alpha: boolean;
  readonly animated: boolean;
  /** ANMF chunks; 1 for a still image. */
  readonly frames: number;
  /** ICCP, EXIF, XMP and unknown chunks. */
  readonly metadata: { readonly chunks: number; readonly bytes: number };
}

const malformed = (detail: string) => new CorruptImageError(`malformed WebP: ${detail}`);

/** A lossy VP8 frame header: the key frame's start code, then 14-bit width and height. */
function vp8Size(bytes: Uint8Array, at: number, length: number): { width: number; height: number } {
  if (length < 10 || bytes[at + 3] !== 0x9d || bytes[at + 4] !== 0x01 || bytes[at + 5] !== 0x2a)
    throw malformed('VP8 frame without a key frame header');
  return {
    width: (bytes[at + 6] as number) | (((bytes[at + 7] as number) & 0x3f) << 8),
    height: (bytes[at + 8] as number) | (((bytes[at + 9] as number) & 0x3f) << 8),
  };
}

/** A lossless VP8L header: the signature byte, then 14-bit width-1 and height-1 and the alpha hint. */
function vp8lSize(bytes: Uint8Array, at: number, length: number): { width: number; height: number; alpha: boolean } {
  if (length < 5 || bytes[at] !== 0x2f) throw malformed('VP8L without its signature');
  const bits = u32le(bytes, at + 1);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

/** Read a WebP's chunks, counting ANMF frames (at most `maxFrames` + 1 are counted). */
export function readWebpStructure(bytes: Uint8Array, maxFrames = Number.POSITIVE_INFINITY): WebpStructure {
  if (fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WEBP') throw malformed('no RIFF/WEBP header');
  const end = Math.min(bytes.length, 8 + u32le(bytes, 4));
  let at = 12;
  let size: { width: number; height: number } | undefined;
  let kind: WebpStructure['kind'] | undefined;
  let alpha = false;
  let animated = false;
  let extended = false;
  let frames = 0;
  const metadata = { chunks: 0, bytes: 0 };
  while (at + 8 <= end) {
    const name = fourcc(bytes, at);
    const length = u32le(bytes, at + 4);
    const data = at + 8;
    if (data + length > bytes.length) throw malformed(`chunk ${name} at byte ${at} runs past the end of the file`);
    if (name === 'VP8X') {
      if (at !== 12 || length < 10) throw malformed('VP8X that is not the first chunk, or too short');
      extended = true;
      const flags = bytes[data] as number;
      alpha = (flags & 0x10) !== 0;
      animated = (flags & 0x02) !== 0;
      size = { width: u24le(bytes, data + 4) + 1, height: u24le(bytes, data + 7) + 1 };
    } else if (name === 'VP8 ') {
      kind ??= WEBP_KINDS.lossy;
      if (!extended) size = vp8Size(bytes, data, length);
    } else if (name === 'VP8L') {
      kind ??= WEBP_KINDS.lossless;
      const lossless = vp8lSize(bytes, data, length);
      if (!extended) {
        size = { width: lossless.width, height: lossless.height };
        alpha = lossless.alpha;
      }
    } else if (name === 'ANMF') {
      frames++;
      if (frames > maxFrames) break;
      // The frame's own bitstream tells its kind: 16 bytes of frame header, then VP8/VP8L.
      const inner = fourcc(bytes, data + 16);
      kind ??= inner === 'VP8L' ? WEBP_KINDS.lossless : WEBP_KINDS.lossy;
    } else if (name !== 'ALPH' && name !== 'ANIM') {
      metadata.chunks++;
      metadata.bytes += length;
    }
    at = data + length + (length % 2);
  }
  if (!size || !kind) throw malformed('no image bitstream');
  if (animated && frames === 0) throw malformed('animated, without a frame');
  return { ...size, kind, alpha, animated, frames: animated ? frames : 1, metadata };
}
