/**
 * Minimal writers for hostile-but-well-formed PNG, GIF, WebP and HEIF/AVIF files that sharp will
 * not make: any header a file may claim, any number of chunks, frames or tiles. Each output is
 * valid as far as the format's structure goes; what it claims is the attack.
 */

import { crc32, createDeflate } from 'node:zlib';

// ---- PNG ----

/** One PNG chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array = new Uint8Array()): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export interface PngSpec {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colourType: number;
  readonly interlace?: boolean;
  /** The compressed image data: one IDAT, or split into chunks of `idatChunkSize` bytes. */
  readonly idat: Uint8Array;
  readonly idatChunkSize?: number;
  /** Whole chunks written between IHDR and the image data. */
  readonly before?: readonly Buffer[];
  /** Put something other than IHDR first. */
  readonly ihdrNotFirst?: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function writePng(spec: PngSpec): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = spec.bitDepth;
  ihdr[9] = spec.colourType;
  ihdr[12] = spec.interlace ? 1 : 0;
  const size = spec.idatChunkSize ?? Math.max(1, spec.idat.length);
  const idat: Buffer[] = [];
  for (let at = 0; at < spec.idat.length; at += size) idat.push(pngChunk('IDAT', spec.idat.subarray(at, at + size)));
  const header = pngChunk('IHDR', ihdr);
  const plte = spec.colourType === 3 ? [pngChunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255]))] : [];
  const leading = spec.ihdrNotFirst ? [pngChunk('tEXt', Buffer.from('Comment\0first')), header] : [header];
  return Buffer.concat([PNG_SIGNATURE, ...leading, ...plte, ...(spec.before ?? []), ...idat, pngChunk('IEND')]);
}

/**
 * The zlib stream of `height` rows of zeros (each with its filter byte): the smallest data that
 * decodes to the most pixels (about 1,000:1). Streamed, so a bomb of gigabytes is never held raw.
 */
export async function zeroRows(width: number, height: number, bytesPerPixel: number): Promise<Buffer> {
  const rowBytes = 1 + Math.ceil(width * bytesPerPixel);
  const rowsPerSlice = Math.max(1, Math.floor((4 * 1024 * 1024) / rowBytes));
  const slice = Buffer.alloc(rowBytes * rowsPerSlice);
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let done = 0; done < height; done += rowsPerSlice) {
    const rows = Math.min(rowsPerSlice, height - done);
    if (!deflate.write(slice.subarray(0, rows * rowBytes))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  return Buffer.concat(out);
}

// ---- GIF ----

/** A 1x1 frame (local colour table of two, LZW: clear, pixel 0, end), at (0, 0), optionally claiming a larger size. */
function gifFrame(width = 1, height = 1): Buffer {
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  descriptor[9] = 0x80; // local colour table of 2 entries
  // Code size 2: clear = 4, end = 5, codes 3 bits wide: 100, 000, 101 packed least significant first.
  return Buffer.concat([descriptor, Buffer.from([0, 0, 0, 255, 255, 255]), Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00])]);
}

export interface GifSpec {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
}

/** A GIF of `frames` 1x1 frames on a logical screen of width x height. */
export function writeGif(spec: GifSpec): Buffer {
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(spec.width, 6);
  screen.writeUInt16LE(spec.height, 8);
  const frame = gifFrame();
  return Buffer.concat([screen, ...Array.from({ length: spec.frames }, () => frame), Buffer.from([0x3b])]);
}

// ---- WebP ----

const fourcc = (text: string) => Buffer.from(text, 'latin1');

export function riffChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function webpFile(chunks: readonly Buffer[]): Buffer {
  const body = Buffer.concat([fourcc('WEBP'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** The chunks of a simple (non-extended) WebP sharp made: its VP8 or VP8L chunk. */
export function webpBitstream(webp: Buffer): Buffer {
  return webp.subarray(12);
}

/** A VP8X chunk: flags and a canvas of width x height. */
export function vp8x(width: number, height: number, flags: { alpha?: boolean; animation?: boolean } = {}): Buffer {
  const data = Buffer.alloc(10);
  data[0] = (flags.alpha ? 0x10 : 0) | (flags.animation ? 0x02 : 0);
  data.writeUIntLE(width - 1, 4, 3);
  data.writeUIntLE(height - 1, 7, 3);
  return riffChunk('VP8X', data);
}

/** An ANMF frame at (0, 0) of width x height holding `bitstream` (a VP8/VP8L chunk). */
export function anmf(width: number, height: number, bitstream: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUIntLE(width - 1, 6, 3);
  header.writeUIntLE(height - 1, 9, 3);
  header.writeUIntLE(100, 12, 3);
  return riffChunk('ANMF', Buffer.concat([header, bitstream]));
}

// ---- HEIF / AVIF ----

export function box(type: string, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

export const fullBox = (type: string, version: number, flags: number, ...content: Uint8Array[]) => {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE((version << 24) | flags, 0);
  return box(type, vf, ...content);
};

const u16 = (value: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value, 0);
  return b;
};
const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value, 0);
  return b;
};

/** An item information entry (infe version 2). */
export const infe = (id: number, type: string) => fullBox('infe', 2, 0, u16(id), u16(0), fourcc(type), Buffer.from([0]));

/**
 * A HEIF file's structure only (no coded data): a primary grid item of `tiles` tiles of `tileType`
 * (or a single item of that type when `tiles` is 0), width x height as its ispe says.
 */
export function heifStructure(spec: { brands: readonly string[]; tileType: string; tiles: number; width: number; height: number }): Buffer {
  const primaryId = 1;
  const tileIds = Array.from({ length: spec.tiles }, (_, i) => i + 2);
  const ftyp = box('ftyp', fourcc(spec.brands[0] ?? 'avif'), u32(0), ...spec.brands.map(fourcc));
  const items =
    spec.tiles > 0 ? [infe(primaryId, 'grid'), ...tileIds.map((id) => infe(id, spec.tileType))] : [infe(primaryId, spec.tileType)];
  const iinf = fullBox('iinf', 0, 0, u16(items.length), ...items);
  const iref =
    spec.tiles > 0 ? fullBox('iref', 0, 0, box('dimg', u16(primaryId), u16(tileIds.length), ...tileIds.map(u16))) : Buffer.alloc(0);
  const ispe = fullBox('ispe', 0, 0, u32(spec.width), u32(spec.height));
  const ipma = fullBox('ipma', 0, 0, u32(1), u16(primaryId), Buffer.from([1, 0x81]));
  const iprp = box('iprp', box('ipco', ispe), ipma);
  const meta = fullBox(
    'meta',
    0,
    0,
    fullBox('hdlr', 0, 0, u32(0), fourcc('pict'), Buffer.alloc(13)),
    fullBox('pitm', 0, 0, u16(primaryId)),
    iinf,
    iref,
    iprp,
  );
  return Buffer.concat([ftyp, meta]);
}

// ---- Ultra HDR (gain-map) JPEG ----

const jpegSegment = (marker: number, payload: Buffer) => {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xff00 | marker, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
};
const xmpSegment = (xml: string) =>
  jpegSegment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(xml)]));
const HDRGM = 'xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" hdrgm:Version="1.0"';
const xmpPacket = (description: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${description}</rdf:RDF></x:xmpmeta>`;

/** The MPF (CIPA DC-007) APP2 segment listing two images: the primary at 0, the gain map at `offset` from the MPF header. */
function mpfSegment(primarySize: number, gainMapSize: number, gainMapOffset: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 3 * 12 + 4 + 2 * 16);
  tiff.write('MM\0*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(3, 8);
  const entry = (at: number, tag: number, type: number, count: number, value: number | string) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (typeof value === 'string') tiff.write(value, at + 8, 'latin1');
    else tiff.writeUInt32BE(value, at + 8);
  };
  const entries = 8 + 2 + 3 * 12 + 4;
  entry(10, 0xb000, 7, 4, '0100'); // MPFVersion
  entry(22, 0xb001, 4, 1, 2); // NumberOfImages
  entry(34, 0xb002, 7, 32, entries); // MPEntry, at the end
  tiff.writeUInt32BE(0x030000, entries); // primary: baseline JPEG, representative
  tiff.writeUInt32BE(primarySize, entries + 4);
  tiff.writeUInt32BE(gainMapSize, entries + 16 + 4);
  tiff.writeUInt32BE(gainMapOffset, entries + 16 + 8);
  return jpegSegment(0xe2, Buffer.concat([Buffer.from('MPF\0', 'latin1'), tiff]));
}

/**
 * A multi-picture JPEG (CIPA DC-007 MPF): the primary JPEG with an MPF index, then a second JPEG
 * appended after the first one's end, as cameras write previews and stereo pairs. With `gainMap`,
 * an Ultra HDR JPEG as Android cameras write it (ISO 21496-1 / Adobe gain map): the second image
 * is the gain map, and both carry the gain-map XMP that makes libvips pick its Ultra HDR loader.
 */
export function multiPictureJpeg(primary: Buffer, second: Buffer, options: { gainMap: boolean }): Buffer {
  const secondXmp = options.gainMap
    ? xmpSegment(
        xmpPacket(
          `<rdf:Description ${HDRGM} hdrgm:GainMapMin="0" hdrgm:GainMapMax="2" hdrgm:Gamma="1" hdrgm:OffsetSDR="0" hdrgm:OffsetHDR="0" hdrgm:HDRCapacityMin="0" hdrgm:HDRCapacityMax="2" hdrgm:BaseRenditionIsHDR="False"/>`,
        ),
      )
    : Buffer.alloc(0);
  const appended = Buffer.concat([second.subarray(0, 2), secondXmp, second.subarray(2)]);
  const primaryXmp = options.gainMap
    ? xmpSegment(
        xmpPacket(
          `<rdf:Description xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/" ${HDRGM}><Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="Primary" Item:Mime="image/jpeg"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="${appended.length}"/></rdf:li></rdf:Seq></Container:Directory></rdf:Description>`,
        ),
      )
    : Buffer.alloc(0);
  // The MPF offsets count from its TIFF header: after SOI, the XMP, and the APP2 marker, length and "MPF\0".
  const tiffHeaderAt = 2 + primaryXmp.length + 4 + 4;
  const primarySize = 2 + primaryXmp.length + mpfSegment(0, 0, 0).length + primary.length - 2;
  const mpf = mpfSegment(primarySize, appended.length, primarySize - tiffHeaderAt);
  return Buffer.concat([primary.subarray(0, 2), primaryXmp, mpf, primary.subarray(2), appended]);
}
