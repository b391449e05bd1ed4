/**
 * What decoding a JPEG will cost, from its marker structure alone, and the limits that keep every
 * upload cheap: refused before libvips sees it, with a typed error naming the limit. Pure.
 *
 * The CPU model counts what libjpeg really does. A sequential JPEG is decoded once, block by block.
 * A progressive one keeps every coefficient of the image in memory (128 bytes per 8x8 block,
 * whatever the output scale) and walks the blocks of each scan's components once per scan; an
 * end-of-band run lets a few bytes stand for a million blocks, so a small file with hundreds of
 * scans costs seconds (libjpeg-turbo's "LJT-01-003"). Refinement scans also touch every
 * coefficient of their band in every block. The constants are nanoseconds on the reference
 * machine (2-core AMD EPYC, libjpeg-turbo in sharp 0.35), fitted to dense real-content and to
 * zero-content (end-of-band) JPEGs; `make bench` prints the estimate beside the measured time for
 * every hostile class so the model can be checked on any machine.
 */

import { JPEG_MAX_DIMENSION, LIMITS } from './constants';
import { DECODE_LIMIT, DecodeLimitError, PixelLimitError, UnsupportedJpegError } from './errors';
import { CODING, type JpegScan, type JpegStructure, type PartialJpegStructure } from './jpeg-structure';
import type { DecodeEstimate, ThumbnailConfig } from './types';

/** Reference-machine nanoseconds per unit of work. */
export const COST_NS = {
  /** Sequential: one block visit decodes and (scaled) transforms a block. */
  sequentialBlockVisit: 170,
  /** Progressive: allocating, filling and finally transforming each coefficient block. */
  progressiveBlock: 450,
  /** Progressive: one scan's pass over one block (entropy decode into the coefficient buffer). */
  progressiveBlockVisit: 170,
  /** Progressive AC refinement: each coefficient of the band, in every block the scan visits. */
  refinementCoefficient: 0.7,
  /** Lossless: each sample is predicted and entropy-decoded at full resolution. */
  losslessSample: 5,
} as const;

const MB = 1024 * 1024;

/** Bytes of one 8x8 block of 16-bit coefficients (libjpeg's JBLOCK). */
const BLOCK_BYTES = 128;

interface Geometry {
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusX: number;
  readonly mcusY: number;
}

function geometry(structure: JpegStructure): Geometry {
  const { frame } = structure;
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  return { hMax, vMax, mcusX: Math.ceil(frame.width / (8 * hMax)), mcusY: Math.ceil(frame.height / (8 * vMax)) };
}

/** Blocks one scan visits: whole MCUs when interleaved, the component's own blocks when not (T.81 A.2). */
function scanVisits(structure: JpegStructure, geo: Geometry, scan: JpegScan): number {
  const { frame } = structure;
  if (scan.components.length > 1) {
    const perMcu = scan.components.reduce((sum, index) => sum + (frame.components[index]?.h ?? 0) * (frame.components[index]?.v ?? 0), 0);
    return geo.mcusX * geo.mcusY * perMcu;
  }
  const component = frame.components[scan.components[0] ?? 0];
  if (!component) return 0;
  const blocksX = Math.ceil(Math.ceil((frame.width * component.h) / geo.hMax) / 8);
  const blocksY = Math.ceil(Math.ceil((frame.height * component.v) / geo.vMax) / 8);
  return blocksX * blocksY;
}

const isRefinement = (scan: JpegScan) => scan.ah > 0 && scan.ss > 0;

/** Estimate the cost of decoding a JPEG whose structure readJpegStructure read. */
export function estimateDecode(structure: JpegStructure): DecodeEstimate {
  const { frame } = structure;
  const geo = geometry(structure);
  const pixels = frame.width * frame.height;
  const blocks = frame.components.reduce((sum, c) => sum + geo.mcusX * c.h * geo.mcusY * c.v, 0);
  if (frame.coding === CODING.lossless) {
    const samples = frame.components.reduce(
      (sum, c) => sum + Math.ceil((frame.width * c.h) / geo.hMax) * Math.ceil((frame.height * c.v) / geo.vMax),
      0,
    );
    return { pixels, blocks: 0, blockVisits: 0, wholeImageBytes: 0, decodeMs: (samples * COST_NS.losslessSample) / 1e6 };
  }
  let blockVisits = 0;
  let ns = 0;
  const progressive = frame.coding === CODING.progressive;
  for (const scan of structure.scans) {
    const visits = scanVisits(structure, geo, scan);
    blockVisits += visits;
    if (!progressive) ns += visits * COST_NS.sequentialBlockVisit;
    else {
      const band = isRefinement(scan) ? Math.max(0, scan.se - scan.ss + 1) : 0;
      ns += visits * (COST_NS.progressiveBlockVisit + band * COST_NS.refinementCoefficient);
    }
  }
  if (progressive) ns += blocks * COST_NS.progressiveBlock;
  return { pixels, blocks, blockVisits, wholeImageBytes: progressive ? blocks * BLOCK_BYTES : 0, decodeMs: ns / 1e6 };
}

export interface DecodeLimits {
  readonly maxInputPixels: number;
  /** Estimated decode time on the reference machine. */
  readonly maxDecodeMs: number;
  /** Memory the decode may hold for the whole image (coefficients), beyond the input and the runtime. */
  readonly maxDecodeBytes: number;
}

/**
 * The limits for one input: the decode may hold what is left of the peak-memory share of the
 * function's memory once the runtime and the input's own bytes are counted.
 */
export function decodeLimitsFor(
  config: Pick<ThumbnailConfig, 'maxInputPixels' | 'maxDecodeMs' | 'functionMemoryMB'>,
  inputBytes: number,
): DecodeLimits {
  const budget = Math.floor(config.functionMemoryMB * MB * LIMITS.peakMemoryShare) - LIMITS.runtimeReserveBytes - inputBytes;
  return { maxInputPixels: config.maxInputPixels, maxDecodeMs: config.maxDecodeMs, maxDecodeBytes: Math.max(0, budget) };
}

/** Bytes as megabytes, for messages. */
export const describeMegabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** The variants libvips and this pipeline decode: 8-bit, Huffman-coded, one frame, 1, 3 or 4 components, known height. */
function checkSupported(structure: JpegStructure): void {
  const { frame } = structure;
  if (frame.coding === CODING.arithmetic) throw new UnsupportedJpegError('arithmetic-coded (no web browser displays these)');
  if (frame.coding === CODING.hierarchical) throw new UnsupportedJpegError('hierarchical (multi-resolution) JPEG');
  if (frame.precision !== 8) throw new UnsupportedJpegError(`${frame.precision}-bit samples (only 8-bit JPEGs are thumbnailed)`);
  if (![1, 3, 4].includes(frame.components.length))
    throw new UnsupportedJpegError(`${frame.components.length} colour components (1, 3 or 4 are supported)`);
  if (frame.height === 0 || frame.width === 0) throw new UnsupportedJpegError('the frame leaves its size to a later DNL marker');
  if (frame.width > JPEG_MAX_DIMENSION || frame.height > JPEG_MAX_DIMENSION)
    throw new UnsupportedJpegError(`${frame.width}x${frame.height}: libjpeg decodes at most ${JPEG_MAX_DIMENSION} pixels a side`);
}

/**
 * Refuse a JPEG that is unsupported or would cost too much to decode, before decoding it.
 * Returns the estimate for an accepted one.
 */
/** The limits on counts, which only grow as a JPEG's bytes arrive: scans, marker segments, metadata. */
function checkCounts(structure: Pick<JpegStructure, 'scans' | 'metadata' | 'segments'>): void {
  const { scans, metadata, segments } = structure;
  if (scans.length > LIMITS.maxScans)
    throw new DecodeLimitError(
      DECODE_LIMIT.scans,
      `${scans.length} scans; encoders write at most about a dozen, this pipeline accepts ${LIMITS.maxScans}`,
    );
  if (segments > LIMITS.maxSegments)
    throw new DecodeLimitError(DECODE_LIMIT.segments, `${segments} marker segments, at most ${LIMITS.maxSegments} accepted`);
  if (metadata.segments > LIMITS.maxMetadataSegments || metadata.bytes > LIMITS.maxMetadataBytes)
    throw new DecodeLimitError(
      DECODE_LIMIT.metadata,
      `${metadata.segments} metadata segments of ${describeMegabytes(metadata.bytes)}; at most ${LIMITS.maxMetadataSegments} segments and ${describeMegabytes(LIMITS.maxMetadataBytes)} accepted`,
    );
}

/**
 * Refuse a JPEG whose first bytes already prove it over a limit: every limit only grows with the
 * bytes (scans, segments, metadata, the estimate as scans are added), so what is over now stays
 * over. Before the frame header, the counts; after it, everything checkDecodable checks.
 */
export function checkPartialJpeg(partial: PartialJpegStructure, limits: DecodeLimits): void {
  if (partial.frame) checkDecodable({ ...partial, frame: partial.frame }, limits);
  else checkCounts(partial);
}

export function checkDecodable(structure: JpegStructure, limits: DecodeLimits): DecodeEstimate {
  checkSupported(structure);
  const { frame, scans } = structure;
  if (frame.width * frame.height > limits.maxInputPixels) throw new PixelLimitError(frame.width, frame.height, limits.maxInputPixels);
  checkCounts(structure);
  const estimate = estimateDecode(structure);
  if (estimate.wholeImageBytes > limits.maxDecodeBytes)
    throw new DecodeLimitError(
      DECODE_LIMIT.memory,
      `a ${frame.coding} ${frame.width}x${frame.height} JPEG holds ${describeMegabytes(estimate.wholeImageBytes)} of coefficients while decoding; ${describeMegabytes(limits.maxDecodeBytes)} is allowed`,
    );
  if (estimate.decodeMs > limits.maxDecodeMs)
    throw new DecodeLimitError(
      DECODE_LIMIT.work,
      `decoding this ${frame.coding} ${frame.width}x${frame.height} JPEG (${scans.length} scans, ${estimate.blockVisits} block visits) ` +
        `is estimated at ${Math.round(estimate.decodeMs)} ms; ${limits.maxDecodeMs} ms is allowed`,
    );
  return estimate;
}
