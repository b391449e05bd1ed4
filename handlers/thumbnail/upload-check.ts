/**
 * What an upload is and whether it is cheap enough to decode, decided from its bytes before any
 * decoder sees them: the format (by the bytes, never the name; HEIC by name), then each format's
 * structure against the decode limits. `UploadCheck` does it while the object downloads, so an
 * upload over a limit is refused as soon as the bytes that cross it arrive (a JPEG's hundredth scan,
 * its millionth segment, its frame header claiming a billion pixels), the download aborted.
 * `checkStructure` decides on the whole file, as the last word before decoding. Pure.
 */

import { INPUT_FORMAT_NAMES, INPUT_FORMATS, type InputFormat, LIMITS } from './constants';
import { checkDecodable, checkPartialJpeg, type DecodeLimits } from './decode-cost';
import { HeicNotSupportedError, UnsupportedFormatError } from './errors';
import { IMAGE_FORMAT, sniffFormat } from './format';
import { readGifStructure } from './gif-structure';
import { checkAvif, checkGif, checkPng, checkWebp } from './image-cost';
import { readIsobmffStructure } from './isobmff-structure';
import { JpegStructureReader, readJpegStructure } from './jpeg-structure';
import { readPngStructure } from './png-structure';
import type { DecodeEstimate } from './types';
import { readWebpStructure } from './webp-structure';

/** Bytes the format sniff looks at (SVG and text are told apart within the first kilobyte). */
export const SNIFF_BYTES = 1024;

/** The format of an upload, from its first bytes: one this function takes, or why not (HEIC by name). */
export function inputFormatOf(input: Uint8Array, enabled: readonly InputFormat[]): InputFormat {
  const detected = sniffFormat(input);
  const format = INPUT_FORMAT_NAMES.find((name) => INPUT_FORMATS[name].label === detected);
  // HEIC brands are refused by name; an AVIF-branded file whose image is HEVC is caught by its structure (checkAvif).
  if (detected === IMAGE_FORMAT.heic) throw new HeicNotSupportedError();
  if (format === undefined || !enabled.includes(format))
    throw new UnsupportedFormatError(
      detected,
      enabled.map((name) => INPUT_FORMATS[name].label),
    );
  return format;
}

/** Its structure read and its cost checked, format by format, before any decoder sees it. */
export function checkStructure(format: InputFormat, input: Uint8Array, limits: DecodeLimits): DecodeEstimate {
  switch (format) {
    case 'jpeg':
      return checkDecodable(readJpegStructure(input), limits);
    case 'png':
      return checkPng(readPngStructure(input), limits);
    case 'gif':
      return checkGif(readGifStructure(input, LIMITS.maxFrames), input.byteLength, limits);
    case 'webp':
      return checkWebp(readWebpStructure(input, LIMITS.maxFrames), input.byteLength, limits);
    case 'avif':
      return checkAvif(readIsobmffStructure(input, LIMITS.maxHeifBoxes), input.byteLength, limits);
  }
}

/**
 * An upload checked while it arrives: `inspect` after each piece, with the buffer being filled and
 * how many bytes of it (from the start) have arrived; it throws the error the whole-file check
 * would, as soon as the bytes so far prove it. The format is known from the first kilobyte; a
 * JPEG's markers are read as they come (the other formats' structures are checked whole).
 */
export class UploadCheck {
  private format: InputFormat | undefined;
  private jpeg: JpegStructureReader | undefined;

  constructor(
    private readonly enabled: readonly InputFormat[],
    private readonly limits: DecodeLimits,
    /** The object's size, when the response said. */
    private readonly totalBytes: number | undefined,
  ) {}

  inspect(bytes: Uint8Array, available: number): void {
    if (this.format === undefined) {
      if (available < Math.min(this.totalBytes ?? SNIFF_BYTES, SNIFF_BYTES)) return;
      this.format = inputFormatOf(bytes.subarray(0, available), this.enabled);
      if (this.format === 'jpeg') this.jpeg = new JpegStructureReader();
    }
    if (!this.jpeg) return;
    this.jpeg.advance(bytes, available);
    checkPartialJpeg(this.jpeg.partial(), this.limits);
  }
}
