/**
 * The marker structure of a JPEG, read without decoding a pixel: the frame (size, components,
 * sampling, coding process), every scan (its components, spectral band and entropy-coded bytes),
 * restart intervals and metadata segments. Pure, linear in the input, and strict: anything libjpeg
 * would have to guess about is refused here, before the decoder sees it.
 */

import { CorruptImageError } from './errors';

/** How the frame is coded, from its SOF marker (ITU T.81, table B.1). */
export const CODING = {
  baseline: 'baseline',
  extended: 'extended sequential',
  progressive: 'progressive',
  lossless: 'lossless',
  hierarchical: 'hierarchical',
  arithmetic: 'arithmetic-coded',
} as const;

export type Coding = (typeof CODING)[keyof typeof CODING];

const SOF_CODING: ReadonlyMap<number, Coding> = new Map([
  [0xc0, CODING.baseline],
  [0xc1, CODING.extended],
  [0xc2, CODING.progressive],
  [0xc3, CODING.lossless],
  [0xc5, CODING.hierarchical],
  [0xc6, CODING.hierarchical],
  [0xc7, CODING.hierarchical],
  [0xc9, CODING.arithmetic],
  [0xca, CODING.arithmetic],
  [0xcb, CODING.arithmetic],
  [0xcd, CODING.arithmetic],
  [0xce, CODING.arithmetic],
  [0xcf, CODING.arithmetic],
]);

export interface FrameComponent {
  readonly id: number;
  /** Sampling factors, 1-4. */
  readonly h: number;
  readonly v: number;
}

export interface JpegFrame {
  readonly coding: Coding;
  /** Bits per sample. */
  readonly precision: number;
  readonly width: number;
  /** 0 when the height is deferred to a DNL marker. */
  readonly height: number;
  readonly components: readonly FrameComponent[];
}

export interface JpegScan {
  /** Indexes into the frame's components. */
  readonly components: readonly number[];
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
  /** Entropy-coded bytes that follow the scan header (restart markers included). */
  readonly entropyBytes: number;
  /** Restart interval in force for the scan, in MCUs (0: none). */
  readonly restartInterval: number;
}

export interface JpegStructure {
  readonly frame: JpegFrame;
  readonly scans: readonly JpegScan[];
  /** APPn and COM segments: EXIF, XMP, ICC, comments. */
  readonly metadata: { readonly segments: number; readonly bytes: number };
  /** Every marker segment, of any kind, before the end of the image. */
  readonly segments: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DRI = 0xdd;
const COM = 0xfe;
const isRst = (marker: number) => marker >= 0xd0 && marker <= 0xd7;
const isApp = (marker: number) => marker >= 0xe0 && marker <= 0xef;
/** Markers without a length field (ITU T.81 B.1.1.3). */
const isStandalone = (marker: number) => marker === 0x01 || isRst(marker) || marker === SOI || marker === EOI;

const malformed = (detail: string) => new CorruptImageError(`malformed JPEG: ${detail}`);

function readFrame(marker: number, payload: Uint8Array): JpegFrame {
  const coding = SOF_CODING.get(marker);
  if (coding === undefined || payload.length < 6) throw malformed('bad frame header');
  const count = payload[5] as number;
  if (count < 1 || payload.length < 6 + 3 * count) throw malformed(`frame header declares ${count} components`);
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + 3 * i;
    const h = (payload[at + 1] as number) >> 4;
    const v = (payload[at + 1] as number) & 0x0f;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw malformed(`component ${i} has sampling factors ${h}x${v}`);
    components.push({ id: payload[at] as number, h, v });
  }
  return {
    coding,
    precision: payload[0] as number,
    height: ((payload[1] as number) << 8) | (payload[2] as number),
    width: ((payload[3] as number) << 8) | (payload[4] as number),
    components,
  };
}

function readScanHeader(frame: JpegFrame, payload: Uint8Array): Omit<JpegScan, 'entropyBytes' | 'restartInterval'> {
  const count = payload[0] ?? 0;
  if (count < 1 || count > 4 || payload.length < 4 + 2 * count) throw malformed(`scan header declares ${count} components`);
  const components: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = payload[1 + 2 * i] as number;
    const index = frame.components.findIndex((component) => component.id === id);
    if (index < 0) throw malformed(`scan names component ${id}, which the frame does not have`);
    components.push(index);
  }
  const at = 1 + 2 * count;
  return {
    components,
    ss: payload[at] as number,
    se: payload[at + 1] as number,
    ah: (payload[at + 2] as number) >> 4,
    al: (payload[at + 2] as number) & 0x0f,
  };
}

/**
 * Offset of the next marker after entropy-coded data, searching `bytes[from, available)` (stuffed
 * 0xFF00 and RSTn belong to the data); undefined when none is there yet.
 */
function endOfEntropyData(bytes: Uint8Array, from: number, available: number): number | undefined {
  let at = from;
  for (;;) {
    const ff = bytes.indexOf(0xff, at);
    if (ff < 0 || ff + 1 >= available) return undefined;
    const next = bytes[ff + 1] as number;
    if (next === 0x00 || isRst(next) || next === 0xff) at = ff + 1;
    else return ff;
  }
}

/** What has been read of a JPEG so far: the frame once its header arrived, the scans begun, the segments counted. */
export interface PartialJpegStructure {
  readonly frame: JpegFrame | undefined;
  /** Every scan begun; the last one's entropy-coded bytes are those received so far. */
  readonly scans: readonly JpegScan[];
  readonly metadata: { readonly segments: number; readonly bytes: number };
  readonly segments: number;
  /** The end-of-image marker was reached: anything after it is not part of the image. */
  readonly ended: boolean;
}

/**
 * A JPEG's marker structure, read as its bytes arrive: `advance` takes the buffer filled so far
 * and reads on from where it stopped, so a download is checked while it runs, in linear time over
 * the whole file. `finish` says what readJpegStructure says of the complete file.
 */
export class JpegStructureReader {
  private frame: JpegFrame | undefined;
  private readonly scans: JpegScan[] = [];
  private restartInterval = 0;
  private segments = 0;
  private metadataSegments = 0;
  private metadataBytes = 0;
  /** Where the next marker is expected. */
  private at = 2;
  /** The scan whose entropy-coded data is being read: where its data starts and where the search for its end resumes. */
  private open:
    | { readonly header: Omit<JpegScan, 'entropyBytes' | 'restartInterval'>; readonly start: number; searchFrom: number }
    | undefined;
  private ended = false;
  private started = false;
  /** Bytes read so far. */
  private available = 0;

  /** Read on through `bytes[0, available)`. Throws a CorruptImageError as soon as the bytes cannot be a JPEG. */
  advance(buffer: Uint8Array, available = buffer.length): void {
    // Only what has arrived: a buffer filled by parallel ranges may hold later bytes already.
    const bytes = buffer.subarray(0, available);
    this.available = available;
    if (this.ended) return;
    if (!this.started) {
      if (available < 2) return;
      if (bytes[0] !== 0xff || bytes[1] !== SOI) throw malformed('no start-of-image marker');
      this.started = true;
    }
    for (;;) {
      if (this.open) {
        const dataEnd = endOfEntropyData(bytes, this.open.searchFrom, available);
        if (dataEnd === undefined) {
          // Resume at the last byte, which may be the 0xFF of a marker whose second byte has not arrived.
          this.open.searchFrom = Math.max(this.open.start, available - 1);
          return;
        }
        this.scans.push({ ...this.open.header, entropyBytes: dataEnd - this.open.start, restartInterval: this.restartInterval });
        this.open = undefined;
        this.at = dataEnd;
      }
      let at = this.at;
      if (at >= available) return;
      if (bytes[at] !== 0xff) throw malformed(`expected a marker at byte ${at}`);
      // Any number of 0xFF fill bytes may precede a marker.
      while (at + 1 < available && bytes[at + 1] === 0xff) at++;
      if (at + 1 >= available) return;
      this.at = at;
      const marker = bytes[at + 1] as number;
      if (marker === EOI) {
        this.ended = true;
        return;
      }
      if (isStandalone(marker)) {
        if (marker === SOI) throw malformed('a second start-of-image marker');
        this.at = at + 2;
        continue;
      }
      if (at + 4 > available) return;
      const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
      if (length < 2) throw malformed(`segment 0xFF${marker.toString(16).toUpperCase()} at byte ${at} has length ${length}`);
      const end = at + 2 + length;
      if (end > available) return;
      const payload = bytes.subarray(at + 4, end);
      this.segments++;
      if (SOF_CODING.has(marker)) {
        if (this.frame) throw malformed('more than one frame');
        this.frame = readFrame(marker, payload);
      } else if (marker === DRI) {
        if (payload.length < 2) throw malformed('bad restart interval');
        this.restartInterval = ((payload[0] as number) << 8) | (payload[1] as number);
      } else if (isApp(marker) || marker === COM) {
        this.metadataSegments++;
        this.metadataBytes += payload.length;
      }
      this.at = end;
      if (marker !== SOS) continue;
      if (!this.frame) throw malformed('a scan before the frame header');
      this.open = { header: readScanHeader(this.frame, payload), start: end, searchFrom: end };
    }
  }

  /** The structure read so far. */
  partial(): PartialJpegStructure {
    const scans = this.open
      ? [...this.scans, { ...this.open.header, entropyBytes: this.available - this.open.start, restartInterval: this.restartInterval }]
      : this.scans;
    return {
      frame: this.frame,
      scans,
      metadata: { segments: this.metadataSegments, bytes: this.metadataBytes },
      segments: this.segments,
      ended: this.ended,
    };
  }

  /**
   * The structure of the whole file, once every byte went through `advance`: refuses a file that
   * ends inside a header, has no frame or no scan. A file may end inside its last scan's data
   * without an end-of-image marker (libjpeg reads it; the decoder decides how damaged it is).
   */
  finish(): JpegStructure {
    if (!this.started) throw malformed('no start-of-image marker');
    const partial = this.partial();
    if (!this.ended && !this.open && this.at < this.available) {
      // Stopped inside a marker segment, or on a lone 0xFF at the very end (which libjpeg ignores).
      if (this.at + 1 < this.available) throw malformed(`a marker segment at byte ${this.at} runs past the end of the file`);
    }
    if (!partial.frame) throw malformed('no frame header');
    if (partial.scans.length === 0) throw malformed('no scan');
    return { frame: partial.frame, scans: partial.scans, metadata: partial.metadata, segments: partial.segments };
  }
}

/**
 * Read a JPEG's marker structure up to its first EOI (anything after it, such as an appended
 * gain map, is not part of the image). Refuses a file that ends inside a header, a second frame,
 * a scan before the frame, and a JPEG with no scan.
 */
export function readJpegStructure(bytes: Uint8Array): JpegStructure {
  const reader = new JpegStructureReader();
  reader.advance(bytes);
  return reader.finish();
}
