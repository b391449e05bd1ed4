/** Reading JPEG headers and rendering thumbnails. The only importer of sharp. */

import { parse as parseIcc } from 'icc';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { checkDecodable, type DecodeLimits } from './decode-cost';
import { CorruptImageError, RenderTimeoutError, UnsupportedFormatError } from './errors';
import { IMAGE_FORMAT, sniffFormat } from './format';
import { readJpegStructure } from './jpeg-structure';
import type { ImageHeader, PlannedThumbnail, RenderedThumbnail } from './types';

/** What rendering needs from the header readJpegHeader read. */
export type RenderHeader = Pick<ImageHeader, 'standardSrgb'>;

// Each invocation sees different images: libvips' operation cache would only hold memory.
sharp.cache(false);

export interface RenderOptions {
  readonly jpegQuality: number;
  readonly maxInputPixels: number;
  /** libvips stops the render after this many seconds (0: no deadline). */
  readonly timeoutSeconds?: number;
}

/** The standard sRGB profile (IEC 61966-2-1) under the names cameras, editors and libvips give it. */
const STANDARD_SRGB = /^sRGB( IEC ?61966[-.]2[-.]1| built-in)?\0*$/;

/**
 * True when the JPEG carries a standard sRGB profile: converting it to sRGB is an identity
 * transform, which still costs a colour-managed pass over every pixel (most at large widths).
 */
export function isStandardSrgb(icc: Buffer | undefined): boolean {
  if (!icc) return false;
  try {
    const profile = parseIcc(icc);
    return profile.colorSpace === 'RGB' && STANDARD_SRGB.test(profile.description ?? '');
  } catch {
    return false;
  }
}

/** Untrusted uploads: stop at the first libjpeg warning rather than render damaged data. */
const FAIL_ON = 'warning';

/**
 * Check that the bytes are a JPEG and read its header (no pixels are decoded). Refuses other
 * formats, malformed marker structures, unsupported variants and anything over the decode limits
 * (pixels, scans, metadata, estimated CPU time and memory) before libvips reads a byte.
 */
export async function readJpegHeader(input: Uint8Array, limits: DecodeLimits): Promise<ImageHeader> {
  const format = sniffFormat(input);
  if (format !== IMAGE_FORMAT.jpeg) throw new UnsupportedFormatError(format);
  const decode = checkDecodable(readJpegStructure(input), limits);
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
  } catch (error) {
    throw new CorruptImageError(`unreadable JPEG header: ${(error as Error).message}`, { cause: error });
  }
  return {
    width: metadata.width,
    height: metadata.height,
    orientation: metadata.orientation ?? 1,
    display: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
    standardSrgb: isStandardSrgb(metadata.icc),
    decode,
  };
}

function decode(input: Uint8Array, header: RenderHeader, options: RenderOptions): Sharp {
  return sharp(input, {
    autoOrient: true,
    failOn: FAIL_ON,
    limitInputPixels: options.maxInputPixels,
    sequentialRead: true,
    // A standard sRGB profile makes the conversion to sRGB an identity: skip it.
    ignoreIcc: header.standardSrgb,
  }).timeout({ seconds: options.timeoutSeconds ?? 0 });
}

// No keepMetadata/withMetadata: sharp strips EXIF (GPS, camera), XMP, IPTC and ICC, converting to sRGB.
function encode(image: Sharp, options: RenderOptions): Promise<Buffer> {
  return image.toColourspace('srgb').jpeg({ quality: options.jpegQuality }).toBuffer();
}

/** libvips' message when the deadline stops a render ("timeout: 17% complete"). */
const TIMED_OUT = /^timeout: /;

/** Our error for a render that failed: stopped at its deadline, or a JPEG libjpeg could not decode. */
export function renderError(error: unknown, timeoutSeconds: number): RenderTimeoutError | CorruptImageError {
  const message = error instanceof Error ? error.message : String(error);
  if (TIMED_OUT.test(message)) return new RenderTimeoutError(timeoutSeconds, { cause: error });
  return new CorruptImageError(`cannot decode JPEG: ${message}`, { cause: error });
}

async function guard<T>(work: Promise<T>, options: RenderOptions): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw renderError(error, options.timeoutSeconds ?? 0);
  }
}

/**
 * Render every planned thumbnail of a JPEG whose header readJpegHeader has read. The JPEG is
 * decoded once, at the reduced scale the largest output needs (libjpeg shrink-on-load); smaller
 * outputs are resized from that intermediate.
 */
export async function renderThumbnails(
  input: Uint8Array,
  header: RenderHeader,
  planned: readonly PlannedThumbnail[],
  options: RenderOptions,
): Promise<RenderedThumbnail[]> {
  const [largest, ...rest] = [...planned].sort((a, b) => b.width - a.width);
  if (largest === undefined) return [];
  const resize = (target: PlannedThumbnail) => ({ width: target.width, height: target.height, fit: 'fill' as const });
  if (rest.length === 0) {
    const body = await guard(encode(decode(input, header, options).resize(resize(largest)), options), options);
    return [{ ...largest, body }];
  }
  const { data, info } = await guard(
    decode(input, header, options).resize(resize(largest)).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }),
    options,
  );
  const fromIntermediate = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const bodies = await Promise.all([
    encode(fromIntermediate(), options),
    ...rest.map((target) => encode(fromIntermediate().resize(resize(target)), options)),
  ]);
  const byWidth = new Map([largest, ...rest].map((target, i) => [target, bodies[i] as Buffer]));
  return planned.map((target) => ({ ...target, body: byWidth.get(target) as Buffer }));
}
