/**
 * The block structure of a GIF, read without decompressing a pixel: the logical screen (the canvas
 * every frame is drawn on), each frame's place and size, and the extensions. Pure, linear in the
 * input. The decoder (libnsgif) scans every frame when it opens a GIF, so frames are counted here
 * up to a limit, and the count is what bounds that scan.
 */

import { ascii, u16le } from './bytes';
import { CorruptImageError } from './errors';

export interface GifStructure {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  /** The largest frame, which may lie partly outside the logical screen. */
  readonly largestFrame: { readonly width: number; readonly height: number };
  /** Comment, application and unknown extensions. */
  readonly metadata: { readonly blocks: number; readonly bytes: number };
  /** True when the count stopped at `maxFrames`: there are more. */
  readonly truncatedCount: boolean;
}

const malformed = (detail: string) => new CorruptImageError(`malformed GIF: ${detail}`);

/** Skip a run of data sub-blocks (each a length byte, then that many bytes; a zero length ends it). Returns the offset after it and the bytes it held. */
function skipSubBlocks(bytes: Uint8Array, from: number): { end: number; size: number } {
  let at = from;
  let size = 0;
  for (;;) {
    if (at >= bytes.length) throw malformed('ends inside a block');
    const length = bytes[at] as number;
    at += 1;
    if (length === 0) return { end: at, size };
    at += length;
    size += length;
  }
}

/** Read a GIF's structure up to its trailer, counting at most `maxFrames` + 1 frames. */
export function readGifStructure(bytes: Uint8Array, maxFrames = Number.POSITIVE_INFINITY): GifStructure {
  const signature = ascii(bytes, 0, 6);
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw malformed('no GIF signature');
  if (bytes.length < 13) throw malformed('ends inside the logical screen descriptor');
  const width = u16le(bytes, 6);
  const height = u16le(bytes, 8);
  const packed = bytes[10] as number;
  let at = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  let frames = 0;
  let largestFrame = { width: 0, height: 0 };
  const metadata = { blocks: 0, bytes: 0 };
  while (at < bytes.length) {
    const introducer = bytes[at];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      const label = bytes[at + 1];
      const { end, size } = skipSubBlocks(bytes, at + 2);
      // Graphic control extensions (0xF9) belong to the frame that follows; the rest is metadata.
      if (label !== 0xf9) {
        metadata.blocks++;
        metadata.bytes += size;
      }
      at = end;
      continue;
    }
    if (introducer !== 0x2c) throw malformed(`unknown block 0x${(introducer ?? 0).toString(16)} at byte ${at}`);
    if (at + 10 > bytes.length) throw malformed('ends inside an image descriptor');
    frames++;
    if (frames > maxFrames) return { width, height, frames, largestFrame, metadata, truncatedCount: true };
    const frameWidth = u16le(bytes, at + 5);
    const frameHeight = u16le(bytes, at + 7);
    if (frameWidth * frameHeight > largestFrame.width * largestFrame.height) largestFrame = { width: frameWidth, height: frameHeight };
    const framePacked = bytes[at + 9] as number;
    at += 10 + (framePacked & 0x80 ? 3 * 2 ** ((framePacked & 0x07) + 1) : 0);
    // The LZW minimum code size, then the compressed data.
    at = skipSubBlocks(bytes, at + 1).end;
  }
  if (frames === 0) throw malformed('no image');
  if (width === 0 || height === 0) throw malformed(`logical screen of ${width}x${height}`);
  return { width, height, frames, largestFrame, metadata, truncatedCount: false };
}
