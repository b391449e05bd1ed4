/** Reading image headers and rendering thumbnails. The only importer of sharp. */

import { parse as parseIcc } from 'icc';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DEFAULTS, INPUT_FORMATS, type InputFormat, LIMITS, type Rendition } from './constants';
import type { DecodeLimits } from './decode-cost';
import { CorruptImageError, RenderTimeoutError } from './errors';
import { planIntermediate } from './plan';
import type { ImageHeader, PlannedThumbnail, RenderedThumbnail } from './types';
import { checkStructure, inputFormatOf } from './upload-check';

/** What rendering needs from the header readImageHeader read. */
export type RenderHeader = Pick<ImageHeader, 'standardSrgb' | 'display'> & Partial<Pick<ImageHeader, 'format' | 'hasAlpha'>>;

// Each invocation sees different images: libvips' operation cache would only hold memory.
sharp.cache(false);

export interface RenderOptions {
  readonly maxInputPixels: number;
  /** libvips stops the render after this many seconds (0: no deadline). */
  readonly timeoutSeconds?: number;
  /** What transparent pixels become in JPEG outputs (`#rrggbb`); white when unset. */
  readonly jpegBackground?: string;
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

/**
 * Untrusted uploads: stop at the first libjpeg warning rather than render damaged data. The other
 * decoders warn about harmless things real files carry (libpng: "iCCP: known incorrect sRGB
 * profile"), so they stop at errors, which a truncated or damaged file is.
 */
const failOnFor = (format: InputFormat) => (format === 'jpeg' ? 'warning' : 'error');

/**
 * The loaders a decode may use, and only these: every other libvips loader (SVG, TIFF, PDF,
 * ImageMagick, JPEG XL, FITS... and the Ultra HDR loader, which would take a gain-map JPEG off the
 * bounded JPEG path) is blocked for the life of the process, whatever the bytes claim to be.
 */
export const ALLOWED_LOADERS = ['Jpeg', 'Png', 'Webp', 'Nsgif', 'Heif'].flatMap((name) =>
  ['Buffer', 'Source'].map((from) => `VipsForeignLoad${name}${from}`),
);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LOADERS });

/**
 * Decide what the bytes are and read the image's header (no pixels are decoded). Refuses formats
 * not enabled (HEIC by name), malformed structures, unsupported variants and anything over the
 * decode limits (pixels, scans, frames, chunks, tiles, metadata, estimated CPU time and memory)
 * before libvips reads a byte.
 */
export async function readImageHeader(
  input: Uint8Array,
  limits: DecodeLimits,
  enabled: readonly InputFormat[] = DEFAULTS.inputFormats,
): Promise<ImageHeader> {
  const format = inputFormatOf(input, enabled);
  const decode = checkStructure(format, input, limits);
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: false, failOn: failOnFor(format), pages: 1 }).metadata();
  } catch (error) {
    throw new CorruptImageError(`unreadable ${INPUT_FORMATS[format].label} header: ${(error as Error).message}`, { cause: error });
  }
  return {
    format,
    hasAlpha: metadata.hasAlpha,
    width: metadata.width,
    height: metadata.pageHeight ?? metadata.height,
    orientation: metadata.orientation ?? 1,
    display: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
    standardSrgb: isStandardSrgb(metadata.icc),
    decode,
  };
}

/** The JPEG-only header of the design card's function: readImageHeader with JPEG enabled alone. */
export const readJpegHeader = (input: Uint8Array, limits: DecodeLimits): Promise<ImageHeader> => readImageHeader(input, limits, ['jpeg']);

function decode(input: Uint8Array, header: RenderHeader, options: RenderOptions, seconds: number): Sharp {
  return sharp(input, {
    autoOrient: true,
    failOn: failOnFor(header.format ?? 'jpeg'),
    limitInputPixels: options.maxInputPixels,
    sequentialRead: true,
    // The first frame of an animation, never the others.
    pages: 1,
    page: 0,
    // A standard sRGB profile makes the conversion to sRGB an identity: skip it.
    ignoreIcc: header.standardSrgb,
  }).timeout({ seconds });
}

// No keepMetadata/withMetadata: sharp strips EXIF (GPS, camera), XMP, IPTC and ICC, converting to sRGB.
// A JPEG has no alpha: transparent pixels are flattened onto the background (else they turn black).
function encode(image: Sharp, rendition: Rendition, seconds: number, options: RenderOptions, hasAlpha = false): Promise<Buffer> {
  const srgb = image.toColourspace('srgb').timeout({ seconds });
  switch (rendition.format) {
    case 'jpeg':
      return (hasAlpha ? srgb.flatten({ background: options.jpegBackground ?? DEFAULTS.jpegBackground }) : srgb)
        .jpeg({ quality: rendition.quality })
        .toBuffer();
    case 'webp':
      return srgb.webp({ quality: rendition.quality }).toBuffer();
    case 'avif':
      return srgb.avif({ quality: rendition.quality }).toBuffer();
  }
}

/**
 * One deadline for a whole set of outputs, counted from the first pipeline (which gets all of it):
 * each later pipeline gets what is left, in whole seconds (libvips' unit; at least 1, so the set
 * can overrun by less than a second), and none starts once it has passed. 0 means no deadline.
 */
export function sharedDeadline(timeoutSeconds: number, now: () => number = () => performance.now()): () => number {
  if (timeoutSeconds <= 0) return () => 0;
  let endsAt: number | undefined;
  return () => {
    if (endsAt === undefined) {
      endsAt = now() + timeoutSeconds * 1000;
      return timeoutSeconds;
    }
    const left = endsAt - now();
    if (left <= 0) throw new RenderTimeoutError(timeoutSeconds);
    return Math.max(1, Math.floor(left / 1000));
  };
}

/**
 * Outputs in groups encoded together, in order, each group holding at most `maxPixels` of output
 * (a single larger output alone): what is in memory at once stays within the bound whatever the
 * renditions, while the usual set (a thumbnail, an avatar, a preview) is one group.
 */
export function encodeGroups<T extends { readonly width: number; readonly height: number }>(
  outputs: readonly T[],
  maxPixels: number,
): T[][] {
  const groups: T[][] = [];
  let pixels = Number.POSITIVE_INFINITY;
  for (const output of outputs) {
    const size = output.width * output.height;
    if (pixels + size > maxPixels) {
      groups.push([]);
      pixels = 0;
    }
    groups[groups.length - 1]?.push(output);
    pixels += size;
  }
  return groups;
}

/** libvips' message when the deadline stops a render ("timeout: 17% complete"). */
const TIMED_OUT = /^timeout: /;

/** Our error for a render that failed: stopped at its deadline, or an image its decoder could not decode. */
export function renderError(error: unknown, timeoutSeconds: number, format: InputFormat = 'jpeg'): RenderTimeoutError | CorruptImageError {
  const message = error instanceof Error ? error.message : String(error);
  if (TIMED_OUT.test(message)) return new RenderTimeoutError(timeoutSeconds, { cause: error });
  return new CorruptImageError(`cannot decode ${INPUT_FORMATS[format].label}: ${message}`, { cause: error });
}

async function guard<T>(work: () => Promise<T>, options: RenderOptions, rendition?: Rendition, format?: InputFormat): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const failure = error instanceof RenderTimeoutError ? error : renderError(error, options.timeoutSeconds ?? 0, format);
    if (rendition) failure.inRendition(rendition.name);
    throw failure;
  }
}

const resizeTo = (target: PlannedThumbnail) =>
  target.crop
    ? { width: target.width, height: target.height, fit: 'cover' as const, position: 'centre' }
    : { width: target.width, height: target.height, fit: 'fill' as const };

/**
 * Render every planned output of a JPEG whose header readJpegHeader has read. With one output, one
 * pipeline: decode at the reduced scale it needs (libjpeg shrink-on-load), resize, encode. With
 * several, the JPEG is decoded once into the image at the largest scale any of them needs, and
 * every output is resized (or cropped) from it and encoded, together while their pixels fit
 * `maxOutputPixels` (encodeGroups); where that image would be too large (an extreme aspect ratio
 * cropped at a large size), each output streams from the source in turn instead. The whole set
 * shares the one deadline (sharedDeadline). A failure names the rendition it happened in.
 */
export async function renderThumbnails(
  input: Uint8Array,
  header: RenderHeader,
  planned: readonly PlannedThumbnail[],
  options: RenderOptions,
): Promise<RenderedThumbnail[]> {
  const secondsLeft = sharedDeadline(options.timeoutSeconds ?? 0);
  const direct = (target: PlannedThumbnail) =>
    guard(
      () => {
        const seconds = secondsLeft();
        return encode(
          decode(input, header, options, seconds).resize(resizeTo(target)),
          target.rendition,
          seconds,
          options,
          header.hasAlpha,
        );
      },
      options,
      target.rendition,
      header.format,
    );
  if (planned.length === 0) return [];
  if (planned.length === 1) {
    const [only] = planned as [PlannedThumbnail];
    return [{ ...only, body: await direct(only) }];
  }
  const size = planIntermediate(header.display, planned);
  if (size === undefined) {
    const rendered: RenderedThumbnail[] = [];
    for (const target of planned) rendered.push({ ...target, body: await direct(target) });
    return rendered;
  }
  const { data, info } = await guard(
    () =>
      decode(input, header, options, secondsLeft())
        .resize({ ...size, fit: 'fill' })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true }),
    options,
    undefined,
    header.format,
  );
  const fromIntermediate = (target: PlannedThumbnail) => {
    const image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    return target.width === info.width && target.height === info.height ? image : image.resize(resizeTo(target));
  };
  const bodies = new Map<PlannedThumbnail, Buffer>();
  for (const group of encodeGroups(planned, LIMITS.maxOutputPixels)) {
    const encoded = await Promise.all(
      group.map((target) =>
        guard(
          () => encode(fromIntermediate(target), target.rendition, secondsLeft(), options, info.channels === 4),
          options,
          target.rendition,
          header.format,
        ),
      ),
    );
    for (const [i, target] of group.entries()) bodies.set(target, encoded[i] as Buffer);
  }
  return planned.map((target) => ({ ...target, body: bodies.get(target) as Buffer }));
}
