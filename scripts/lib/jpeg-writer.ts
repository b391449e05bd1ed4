/**
 * A minimal JPEG writer for generating hostile-but-legal test inputs that sharp cannot make:
 * progressive JPEGs with any scan script, restart intervals, extra marker segments.
 *
 * Only DC coefficients carry image content (every AC coefficient is zero), which is what makes
 * the classic progressive CPU bomb cheap to write: an AC scan over a million blocks is a handful of
 * end-of-band runs, yet the decoder still visits every block. The output is a valid JPEG that
 * libjpeg decodes without a warning, to an 8x8-block mosaic of the DC image.
 */

export interface JpegComponent {
  /** Horizontal and vertical sampling factors, 1-4. */
  readonly h: number;
  readonly v: number;
}

export interface ScanSpec {
  /** Indexes into the frame's components; more than one only for DC scans. */
  readonly components: readonly number[];
  /** Spectral selection start and end (0..63; DC scans are 0..0). */
  readonly ss: number;
  readonly se: number;
  /** Successive approximation: previous and current point transform. */
  readonly ah: number;
  readonly al: number;
}

export interface JpegSpec {
  readonly width: number;
  readonly height: number;
  readonly components: readonly JpegComponent[];
  /**
   * Baseline (SOF0, one sequential scan), progressive (SOF2, the given scans), or lossless
   * (SOF3, one scan; `dc` then gives each sample, offset from 128).
   */
  readonly coding: 'baseline' | 'progressive' | 'lossless';
  /** For progressive frames: the scan script. Baseline frames have one interleaved scan. */
  readonly scans?: readonly ScanSpec[];
  /** Quantized DC value (-1023..1023) of a block, by component and block position (lossless: of a sample). */
  readonly dc: (component: number, blockX: number, blockY: number) => number;
  /** MCUs between restart markers (DRI); 0 or absent for none. */
  readonly restartInterval?: number;
  /** Whole marker segments (from 0xFF) written after SOI, before the frame: APPn, COM... */
  readonly leadingSegments?: readonly Uint8Array[];
  /** Define the Huffman tables again before every scan (legal, and what table-heavy files do). */
  readonly tablesBeforeEveryScan?: boolean;
}

const MARKER = {
  SOI: 0xd8,
  EOI: 0xd9,
  SOF0: 0xc0,
  SOF2: 0xc2,
  SOF3: 0xc3,
  DHT: 0xc4,
  DQT: 0xdb,
  SOS: 0xda,
  DRI: 0xdd,
  RST0: 0xd0,
} as const;

/** A marker segment: 0xFF, the marker, a two-byte length (which counts itself), the payload. */
export function markerSegment(marker: number, payload: Uint8Array): Buffer {
  if (payload.length + 2 > 0xffff) throw new RangeError(`segment payload of ${payload.length} bytes is over 65533`);
  const head = Buffer.alloc(4);
  head[0] = 0xff;
  head[1] = marker;
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

interface HuffmanTable {
  readonly bits: readonly number[];
  readonly values: readonly number[];
  readonly codes: Map<number, { code: number; length: number }>;
}

function huffmanTable(bits: readonly number[], values: readonly number[]): HuffmanTable {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < (bits[length - 1] ?? 0); i++) codes.set(values[k++] as number, { code: code++, length });
    code <<= 1;
  }
  return { bits, values, codes };
}

/** ITU T.81 Annex K.3: the luminance DC table (categories 0-11). */
const DC_TABLE = huffmanTable([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
/** End-of-band runs EOB0..EOB14 (symbols 0x00..0xE0), four bits each: all an all-zero AC scan needs. */
const AC_TABLE = huffmanTable(
  [0, 0, 0, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  Array.from({ length: 15 }, (_, r) => r << 4),
);

class BitWriter {
  private readonly bytes: number[] = [];
  private buffer = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) {
      this.buffer = (this.buffer << 1) | ((value >> bit) & 1);
      if (++this.count === 8) this.emit();
    }
  }

  /** Pad the last byte with one-bits, as T.81 requires before a marker. */
  flush(): void {
    while (this.count !== 0) this.write(1, 1);
  }

  marker(marker: number): void {
    this.flush();
    this.bytes.push(0xff, marker);
  }

  toBuffer(): Buffer {
    this.flush();
    return Buffer.from(this.bytes);
  }

  private emit() {
    this.bytes.push(this.buffer);
    if (this.buffer === 0xff) this.bytes.push(0x00);
    this.buffer = 0;
    this.count = 0;
  }
}

function writeSymbol(out: BitWriter, table: HuffmanTable, symbol: number) {
  const entry = table.codes.get(symbol);
  if (!entry) throw new RangeError(`no Huffman code for symbol ${symbol}`);
  out.write(entry.code, entry.length);
}

/** A DC difference: its category through the table, then its bits (negative values one's-complemented). */
function writeDcDiff(out: BitWriter, diff: number) {
  const magnitude = Math.abs(diff);
  const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
  writeSymbol(out, DC_TABLE, category);
  if (category > 0) out.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
}

function writeEobRun(out: BitWriter, run: number) {
  for (let left = run; left > 0; ) {
    const chunk = Math.min(left, 0x7fff);
    const r = Math.floor(Math.log2(chunk));
    writeSymbol(out, AC_TABLE, r << 4);
    if (r > 0) out.write(chunk - (1 << r), r);
    left -= chunk;
  }
}

interface Geometry {
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusX: number;
  readonly mcusY: number;
  /** Blocks of a component in a non-interleaved scan (its own size, not padded to MCUs). */
  blocks(component: number): { readonly x: number; readonly y: number };
}

function geometry(spec: JpegSpec): Geometry {
  const hMax = Math.max(...spec.components.map((c) => c.h));
  const vMax = Math.max(...spec.components.map((c) => c.v));
  return {
    hMax,
    vMax,
    mcusX: Math.ceil(spec.width / (8 * hMax)),
    mcusY: Math.ceil(spec.height / (8 * vMax)),
    blocks(component) {
      const c = spec.components[component] as JpegComponent;
      return { x: Math.ceil(Math.ceil((spec.width * c.h) / hMax) / 8), y: Math.ceil(Math.ceil((spec.height * c.v) / vMax) / 8) };
    },
  };
}

/** Walk a scan's MCUs, calling `unit` for each data unit and emitting restart markers between intervals. */
function eachMcu(
  spec: JpegSpec,
  scan: ScanSpec,
  geo: Geometry,
  out: BitWriter,
  onRestart: () => void,
  unit: (component: number, bx: number, by: number) => void,
) {
  const interleaved = scan.components.length > 1;
  const restart = spec.restartInterval ?? 0;
  const single = geo.blocks(scan.components[0] as number);
  const [mcusX, mcusY] = interleaved ? [geo.mcusX, geo.mcusY] : [single.x, single.y];
  let mcu = 0;
  let rst = 0;
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restart > 0 && mcu > 0 && mcu % restart === 0) {
        onRestart();
        out.marker(MARKER.RST0 + (rst++ % 8));
      }
      if (interleaved) {
        for (const ci of scan.components) {
          const c = spec.components[ci] as JpegComponent;
          for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) unit(ci, mx * c.h + h, my * c.v + v);
        }
      } else {
        unit(scan.components[0] as number, mx, my);
      }
      mcu++;
    }
  }
}

/**
 * Lossless (predictor 1: the sample to the left; the first column predicts from above): each
 * sample is 128 + `dc(component, x, y)`, its difference from the prediction coded like a DC one.
 */
function encodeLosslessScan(spec: JpegSpec): Buffer {
  if (spec.components.some((c) => c.h !== 1 || c.v !== 1)) throw new RangeError('lossless frames here are unsubsampled (1x1)');
  const out = new BitWriter();
  const sample = (ci: number, x: number, y: number) => Math.max(0, Math.min(255, 128 + Math.round(spec.dc(ci, x, y))));
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      for (let ci = 0; ci < spec.components.length; ci++) {
        const prediction = x > 0 ? sample(ci, x - 1, y) : y > 0 ? sample(ci, x, y - 1) : 128;
        writeDcDiff(out, sample(ci, x, y) - prediction);
      }
    }
  }
  return out.toBuffer();
}

function encodeScan(spec: JpegSpec, scan: ScanSpec, geo: Geometry): Buffer {
  if (spec.coding === 'lossless') return encodeLosslessScan(spec);
  const out = new BitWriter();
  if (scan.ss === 0) {
    const predictors = new Map<number, number>();
    const restartPredictors = () => predictors.clear();
    eachMcu(spec, scan, geo, out, restartPredictors, (ci, bx, by) => {
      const value = Math.max(-1023, Math.min(1023, Math.round(spec.dc(ci, bx, by))));
      if (scan.ah > 0) {
        out.write((value >> scan.al) & 1, 1);
        return;
      }
      const shifted = value >> scan.al;
      writeDcDiff(out, shifted - (predictors.get(ci) ?? 0));
      predictors.set(ci, shifted);
      // Sequential (baseline) scans code every block's AC coefficients in the same scan: all zero, one EOB.
      if (spec.coding === 'baseline') writeSymbol(out, AC_TABLE, 0x00);
    });
    return out.toBuffer();
  }
  let run = 0;
  const endRun = () => {
    writeEobRun(out, run);
    run = 0;
  };
  eachMcu(spec, scan, geo, out, endRun, () => {
    run++;
  });
  endRun();
  return out.toBuffer();
}

function dhtSegment(): Buffer {
  const table = (tableClass: number, id: number, t: HuffmanTable) => Buffer.from([(tableClass << 4) | id, ...t.bits, ...t.values]);
  return markerSegment(MARKER.DHT, Buffer.concat([table(0, 0, DC_TABLE), table(1, 0, AC_TABLE)]));
}

function sosSegment(scan: ScanSpec): Buffer {
  return markerSegment(
    MARKER.SOS,
    Buffer.from([scan.components.length, ...scan.components.flatMap((ci) => [ci + 1, 0x00]), scan.ss, scan.se, (scan.ah << 4) | scan.al]),
  );
}

/** Write a JPEG from its spec. */
export function writeJpeg(spec: JpegSpec): Buffer {
  if (spec.width < 1 || spec.height < 1 || spec.width > 0xffff || spec.height > 0xffff) throw new RangeError('JPEG dimensions are 1-65535');
  const geo = geometry(spec);
  const all = spec.components.map((_, i) => i);
  const scans: readonly ScanSpec[] =
    spec.coding === 'progressive'
      ? (spec.scans ?? [])
      : spec.coding === 'lossless'
        ? // Predictor 1 (the sample to the left), no point transform.
          [{ components: all, ss: 1, se: 0, ah: 0, al: 0 }]
        : [{ components: all, ss: 0, se: 63, ah: 0, al: 0 }];
  // All eight-bit quantizers 8: a DC coefficient of d shows as a block mean of 128 + d.
  const dqt = markerSegment(MARKER.DQT, Buffer.from([0x00, ...new Array<number>(64).fill(8)]));
  const frame = Buffer.alloc(6 + 3 * spec.components.length);
  frame[0] = 8;
  frame.writeUInt16BE(spec.height, 1);
  frame.writeUInt16BE(spec.width, 3);
  frame[5] = spec.components.length;
  spec.components.forEach((c, i) => {
    frame[6 + 3 * i] = i + 1;
    frame[7 + 3 * i] = (c.h << 4) | c.v;
    frame[8 + 3 * i] = 0;
  });
  const parts: Uint8Array[] = [
    Buffer.from([0xff, MARKER.SOI]),
    ...(spec.leadingSegments ?? []),
    dqt,
    markerSegment({ baseline: MARKER.SOF0, progressive: MARKER.SOF2, lossless: MARKER.SOF3 }[spec.coding], frame),
  ];
  if (spec.restartInterval) {
    const dri = Buffer.alloc(2);
    dri.writeUInt16BE(spec.restartInterval, 0);
    parts.push(markerSegment(MARKER.DRI, dri));
  }
  const tables = dhtSegment();
  scans.forEach((scan, i) => {
    if (i === 0 || spec.tablesBeforeEveryScan) parts.push(tables);
    parts.push(sosSegment(scan), encodeScan(spec, scan, geo));
  });
  parts.push(Buffer.from([0xff, MARKER.EOI]));
  return Buffer.concat(parts);
}

/**
 * A legal progressive scan script of exactly `count` scans (at least 1 + components): an
 * interleaved DC scan, then AC scans that visit every block, one coefficient at a time, with up to
 * 13 successive-approximation refinements each. Each coefficient's bits are sent exactly once,
 * in order, so libjpeg raises no "bogus progression" warning.
 */
export function progressiveScript(components: number, count: number): ScanSpec[] {
  const dc: ScanSpec = { components: Array.from({ length: components }, (_, i) => i), ss: 0, se: 0, ah: 0, al: 0 };
  const maxAc = components * 63 * 14;
  if (count < 1 + components) throw new RangeError(`a progressive script needs at least ${1 + components} scans`);
  if (count - 1 > maxAc) throw new RangeError(`at most ${maxAc + 1} legal scans for ${components} component(s)`);
  const scans: ScanSpec[] = [dc];
  // Spread the AC scans over the components and coefficients, then add refinement levels as needed.
  const acScans = count - 1;
  const bands = Math.min(63, Math.max(1, Math.floor(acScans / components)));
  const perBand = Math.ceil(acScans / (components * bands));
  for (let ci = 0; ci < components && scans.length < count; ci++) {
    for (let band = 0; band < bands && scans.length < count; band++) {
      // The last band takes every coefficient left, so all 63 are covered.
      const ss = 1 + Math.floor((band * 63) / bands);
      const se = Math.floor(((band + 1) * 63) / bands);
      const levels = Math.min(perBand, count - scans.length, 14);
      const top = levels - 1;
      scans.push({ components: [ci], ss, se, ah: 0, al: top });
      for (let al = top - 1; al >= 0; al--) scans.push({ components: [ci], ss, se, ah: al + 1, al });
    }
  }
  if (scans.length < count) throw new RangeError(`could not spread ${count} scans`);
  return scans;
}
