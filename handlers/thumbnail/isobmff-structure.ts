/**
 * The box structure of a HEIF-family file (AVIF, HEIC), read without decoding: its brands, its
 * primary item and how that item is coded (AV1, HEVC, a grid of tiles), the size and bit depth its
 * properties declare, and how many items and tiles there are. Pure, linear in the input, with
 * every count bounded by the boxes' own sizes.
 */

import { fourcc } from './bytes';
import { CorruptImageError } from './errors';

/** How the primary image is coded: what decides whether this pipeline can decode it at all. */
export const ITEM_CODINGS = { av1: 'av1', hevc: 'hevc', other: 'other' } as const;
export type ItemCoding = (typeof ITEM_CODINGS)[keyof typeof ITEM_CODINGS];

export interface IsobmffStructure {
  readonly majorBrand: string;
  readonly brands: readonly string[];
  readonly primary: {
    readonly type: string;
    /** For a grid, its tiles' coding. */
    readonly coding: ItemCoding;
    readonly width: number;
    readonly height: number;
    /** Bits per channel (pixi, else av1C), 8 when neither says. */
    readonly bitDepth: number;
    /** Tiles of a grid; 1 for a single coded image. */
    readonly tiles: number;
  };
  readonly items: number;
  /** Boxes read, at every level. */
  readonly boxes: number;
}

const malformed = (detail: string) => new CorruptImageError(`malformed HEIF/AVIF: ${detail}`);
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const HEVC_TYPES = new Set(['hvc1', 'hev1', 'hvt1']);

interface Box {
  readonly type: string;
  /** Offset of the box's content (after its header). */
  readonly start: number;
  readonly end: number;
}

interface Counter {
  boxes: number;
  readonly maxBoxes: number;
}

/** The boxes between `from` and `to`, one level. */
function boxesIn(bytes: Uint8Array, from: number, to: number, counter: Counter): Box[] {
  const boxes: Box[] = [];
  const data = view(bytes);
  let at = from;
  while (at + 8 <= to) {
    if (++counter.boxes > counter.maxBoxes) throw malformed(`more than ${counter.maxBoxes} boxes`);
    let size = data.getUint32(at);
    const type = fourcc(bytes, at + 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) throw malformed(`box ${type} ends inside its header`);
      const large = data.getBigUint64(at + 8);
      if (large > BigInt(to - at)) throw malformed(`box ${type} at byte ${at} runs past its parent`);
      size = Number(large);
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) throw malformed(`box ${type} at byte ${at} runs past its parent`);
    boxes.push({ type, start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

const child = (boxes: readonly Box[], type: string) => boxes.find((box) => box.type === type);

/** Read a HEIF-family file's structure, with at most `maxBoxes` boxes in all. */
export function readIsobmffStructure(bytes: Uint8Array, maxBoxes = 10_000): IsobmffStructure {
  const counter: Counter = { boxes: 0, maxBoxes };
  const data = view(bytes);
  const top = boxesIn(bytes, 0, bytes.length, counter);
  const ftyp = top[0];
  if (ftyp?.type !== 'ftyp' || ftyp.end - ftyp.start < 8) throw malformed('no ftyp box first');
  const majorBrand = fourcc(bytes, ftyp.start);
  const brands = [majorBrand];
  for (let at = ftyp.start + 8; at + 4 <= ftyp.end; at += 4) brands.push(fourcc(bytes, at));
  const meta = child(top, 'meta');
  if (!meta) throw malformed('no meta box (an image sequence without a still image is not read)');
  // meta is a full box: version and flags first.
  const metaBoxes = boxesIn(bytes, meta.start + 4, meta.end, counter);

  const pitm = child(metaBoxes, 'pitm');
  if (!pitm) throw malformed('no primary item (pitm)');
  const primaryId = bytes[pitm.start] === 0 ? data.getUint16(pitm.start + 4) : data.getUint32(pitm.start + 4);

  const itemTypes = new Map<number, string>();
  const iinf = child(metaBoxes, 'iinf');
  if (!iinf) throw malformed('no item information (iinf)');
  const entriesAt = iinf.start + 4 + (bytes[iinf.start] === 0 ? 2 : 4);
  for (const infe of boxesIn(bytes, entriesAt, iinf.end, counter).filter((box) => box.type === 'infe')) {
    const version = bytes[infe.start] as number;
    if (version < 2) continue;
    const id = version === 2 ? data.getUint16(infe.start + 4) : data.getUint32(infe.start + 4);
    const typeAt = infe.start + 4 + (version === 2 ? 2 : 4) + 2;
    if (typeAt + 4 > infe.end) throw malformed('item entry ends early');
    itemTypes.set(id, fourcc(bytes, typeAt));
  }
  const primaryType = itemTypes.get(primaryId);
  if (!primaryType) throw malformed(`the primary item ${primaryId} has no entry`);

  // Tiles of a grid: the dimg references from it.
  let tiles: number[] = [];
  const iref = child(metaBoxes, 'iref');
  if (iref) {
    const large = bytes[iref.start] !== 0;
    for (const reference of boxesIn(bytes, iref.start + 4, iref.end, counter)) {
      const from = large ? data.getUint32(reference.start) : data.getUint16(reference.start);
      if (reference.type !== 'dimg' || from !== primaryId) continue;
      const countAt = reference.start + (large ? 4 : 2);
      const count = data.getUint16(countAt);
      const width = large ? 4 : 2;
      if (countAt + 2 + count * width > reference.end) throw malformed('a reference list runs past its box');
      tiles = Array.from({ length: count }, (_, i) => (large ? data.getUint32(countAt + 2 + i * 4) : data.getUint16(countAt + 2 + i * 2)));
    }
  }
  const codedType = primaryType === 'grid' ? (itemTypes.get(tiles[0] ?? -1) ?? 'none') : primaryType;
  const coding: ItemCoding = codedType === 'av01' ? ITEM_CODINGS.av1 : HEVC_TYPES.has(codedType) ? ITEM_CODINGS.hevc : ITEM_CODINGS.other;

  // Properties: ispe (size), pixi and av1C (bit depth), associated with the primary item (or its first tile).
  const iprp = child(metaBoxes, 'iprp');
  const iprpBoxes = iprp ? boxesIn(bytes, iprp.start, iprp.end, counter) : [];
  const ipco = child(iprpBoxes, 'ipco');
  const properties = ipco ? boxesIn(bytes, ipco.start, ipco.end, counter) : [];
  const associations = new Map<number, number[]>();
  for (const ipma of iprpBoxes.filter((box) => box.type === 'ipma')) {
    const version = bytes[ipma.start] as number;
    const wide = ((bytes[ipma.start + 3] as number) & 1) === 1;
    let at = ipma.start + 8;
    const entries = data.getUint32(ipma.start + 4);
    for (let i = 0; i < entries && at < ipma.end; i++) {
      const id = version < 1 ? data.getUint16(at) : data.getUint32(at);
      at += version < 1 ? 2 : 4;
      const count = bytes[at] as number;
      at += 1;
      const indexes: number[] = [];
      for (let j = 0; j < count && at < ipma.end; j++) {
        indexes.push(wide ? data.getUint16(at) & 0x7fff : (bytes[at] as number) & 0x7f);
        at += wide ? 2 : 1;
      }
      associations.set(id, indexes);
    }
  }
  const propertiesOf = (id: number) =>
    (associations.get(id) ?? []).map((index) => properties[index - 1]).filter((box): box is Box => box !== undefined);
  const own = propertiesOf(primaryId);
  const ispe = child(own, 'ispe');
  if (!ispe || ispe.end - ispe.start < 12) throw malformed('the primary item has no size (ispe)');
  const width = data.getUint32(ispe.start + 4);
  const height = data.getUint32(ispe.start + 8);
  const depthSource = [...own, ...propertiesOf(tiles[0] ?? -1)];
  const pixi = child(depthSource, 'pixi');
  const av1C = child(depthSource, 'av1C');
  let bitDepth = 8;
  if (pixi && pixi.end - pixi.start >= 6) bitDepth = bytes[pixi.start + 5] as number;
  else if (av1C && av1C.end - av1C.start >= 3) {
    const flags = bytes[av1C.start + 2] as number;
    bitDepth = flags & 0x40 ? (flags & 0x20 ? 12 : 10) : 8;
  }
  return {
    majorBrand,
    brands,
    primary: { type: primaryType, coding, width, height, bitDepth, tiles: primaryType === 'grid' ? tiles.length : 1 },
    items: itemTypes.size,
    boxes: counter.boxes,
  };
}
