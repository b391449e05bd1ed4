/** Reading fields out of image headers: ASCII tags and fixed-width integers. Pure. */

/** The bytes from `start` to `end` (or the input's end) as Latin-1 text: signatures, chunk and box types. */
export const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

/** A four-character code (PNG chunk, RIFF chunk, ISOBMFF box type). */
export const fourcc = (bytes: Uint8Array, at: number): string => ascii(bytes, at, at + 4);

export const u16le = (bytes: Uint8Array, at: number): number => (bytes[at] as number) | ((bytes[at + 1] as number) << 8);

export const u24le = (bytes: Uint8Array, at: number): number =>
  (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16);

export const u32le = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);

export const u32be = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
