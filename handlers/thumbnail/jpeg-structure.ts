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

/** Offset of the next marker after entropy-coded data starting at `from` (stuffed 0xFF00 and RSTn belong to the data). */
function endOfEntropyData(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const ff = bytes.indexOf(0xff, at);
    if (ff < 0 || ff + 1 >= bytes.length) return bytes.length;
    const next = bytes[ff + 1] as number;
    if (next === 0x00 || isRst(next) || next === 0xff) at = ff + 1;
    else return ff;
  }
}

/**
 * Read a JPEG's marker structure up to its first EOI (anything after it, such as an appended
 * gain map, is not part of the image). Refuses a file that ends inside a header, a second frame,
 * a scan before the frame, and a JPEG with no scan.
 */
export function readJpegStructure(bytes: Uint8Array): JpegStructure {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) throw malformed('no start-of-image marker');
  let frame: JpegFrame | undefined;
  const scans: JpegScan[] = [];
  let restartInterval = 0;
  let segments = 0;
  let metadataSegments = 0;
  let metadataBytes = 0;
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) throw malformed(`expected a marker at byte ${at}`);
    // Any number of 0xFF fill bytes may precede a marker.
    while (bytes[at + 1] === 0xff) at++;
    const marker = bytes[at + 1];
    if (marker === undefined) break;
    if (marker === EOI) break;
    if (isStandalone(marker)) {
      if (marker === SOI) throw malformed('a second start-of-image marker');
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) throw malformed('ends inside a marker');
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length)
      throw malformed(`segment 0xFF${marker.toString(16).toUpperCase()} at byte ${at} runs past the end of the file`);
    const payload = bytes.subarray(at + 4, end);
    segments++;
    if (SOF_CODING.has(marker)) {
      if (frame) throw malformed('more than one frame');
      frame = readFrame(marker, payload);
    } else if (marker === DRI) {
      if (payload.length < 2) throw malformed('bad restart interval');
      restartInterval = ((payload[0] as number) << 8) | (payload[1] as number);
    } else if (isApp(marker) || marker === COM) {
      metadataSegments++;
      metadataBytes += payload.length;
    }
    if (marker !== SOS) {
      at = end;
      continue;
    }
    if (!frame) throw malformed('a scan before the frame header');
    const header = readScanHeader(frame, payload);
    const dataEnd = endOfEntropyData(bytes, end);
    scans.push({ ...header, entropyBytes: dataEnd - end, restartInterval });
    at = dataEnd;
  }
  if (!frame) throw malformed('no frame header');
  if (scans.length === 0) throw malformed('no scan');
  return { frame, scans, metadata: { segments: metadataSegments, bytes: metadataBytes }, segments };
}
