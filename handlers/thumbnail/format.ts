/** What a file is, from its first bytes (never from its name). */

import { ascii } from './bytes';

export const IMAGE_FORMAT = {
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  heic: 'HEIC',
  avif: 'AVIF',
  tiff: 'TIFF',
  bmp: 'BMP',
  jxl: 'JPEG XL',
  svg: 'SVG',
  pdf: 'PDF',
  empty: 'an empty file',
  text: 'text',
  unknown: 'unknown binary data',
} as const;

export type ImageFormat = (typeof IMAGE_FORMAT)[keyof typeof IMAGE_FORMAT];

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** ISO-BMFF (`ftyp`) files: HEIC and AVIF, told apart by their major and compatible brands. */
function sniffIsoBmff(bytes: Uint8Array): ImageFormat | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = Math.min(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0), bytes.length, 256);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return IMAGE_FORMAT.avif;
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return IMAGE_FORMAT.heic;
  return IMAGE_FORMAT.unknown;
}

/** The control characters text files contain: tab, line feed, carriage return. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0d]);

/** Valid UTF-8 without control characters (other than tab and line breaks) in the first 512 bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 512), { stream: true });
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && !TEXT_CONTROLS.has(code)) || code === 0x7f) return false;
  }
  return true;
}

/** Name the format of a file from its magic bytes. */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (bytes.length === 0) return IMAGE_FORMAT.empty;
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return IMAGE_FORMAT.jpeg;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return IMAGE_FORMAT.png;
  if (ascii(bytes, 0, 4) === 'GIF8') return IMAGE_FORMAT.gif;
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return IMAGE_FORMAT.webp;
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return IMAGE_FORMAT.tiff;
  if (ascii(bytes, 0, 2) === 'BM') return IMAGE_FORMAT.bmp;
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return IMAGE_FORMAT.jxl;
  if (ascii(bytes, 0, 5) === '%PDF-') return IMAGE_FORMAT.pdf;
  const isoBmff = sniffIsoBmff(bytes);
  if (isoBmff !== undefined) return isoBmff;
  if (looksLikeText(bytes)) return /<svg[\s>]/i.test(ascii(bytes, 0, 1024)) ? IMAGE_FORMAT.svg : IMAGE_FORMAT.text;
  return IMAGE_FORMAT.unknown;
}
