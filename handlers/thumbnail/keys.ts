/** Object keys: decoding them from events, encoding them as S3 does, and naming thumbnails. */

import { FORMATS, MAX_S3_KEY_BYTES, NAMING, OUTPUT_FORMATS, type OutputFormat, type Rendition } from './constants';

export { encodeEventKey } from './constants';

import { InvalidEventError, KeyTooLongError } from './errors';
import type { ThumbnailTarget } from './types';

/**
 * Decode a key as S3 puts it in event notifications: form-URL encoding, so `+` is a space,
 * `%2B` a real plus sign, and `%XX` sequences are UTF-8 bytes.
 */
export function decodeEventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (error) {
    throw new InvalidEventError(`object key is not valid URL encoding: "${encoded}"`, { cause: error });
  }
}

/** A key from an event, decoded; one that is not valid URL encoding, as it came (for logs, listings and failure records). */
export function decodeEventKeyOrKeep(encoded: string): string {
  try {
    return decodeEventKey(encoded);
  } catch {
    return encoded;
  }
}

// How an original's name becomes its outputs' (NAMING, in constants.ts): a name ending in the
// canonical `.jpg` (with something before it) drops it, `photo.jpg` -> `photo-<rendition>.<ext>`;
// any other name (`.JPG`, `.jpeg`, none) is kept whole, with a dot: `IMG_1.JPG` ->
// `IMG_1.JPG.<rendition>.<ext>`. A rendition name holds neither `-` nor `.`, so an output key ends
// in exactly one `<separator><name><ext>`: the separator says which form it is, and removing what
// the form added gives the original back. No two (original, rendition) pairs share an output key,
// whatever suffixes the trigger accepts: sourceOfOutputKey is the inverse.

function splitKey(key: string): { readonly dir: string; readonly name: string } {
  const slash = key.lastIndexOf('/');
  return { dir: key.slice(0, slash + 1), name: key.slice(slash + 1) };
}

/** The key one rendition of an original is written to. */
export function renditionKey(key: string, rendition: Pick<Rendition, 'name' | 'format'>): string {
  const { dir, name } = splitKey(key);
  const extension = FORMATS[rendition.format].extension;
  const stemLength = name.length - NAMING.canonicalExtension.length;
  const canonical = stemLength > 0 && name.endsWith(NAMING.canonicalExtension);
  const out = canonical
    ? `${dir}${name.slice(0, stemLength)}${NAMING.canonicalSeparator}${rendition.name}${extension}`
    : `${dir}${name}${NAMING.otherSeparator}${rendition.name}${extension}`;
  const bytes = Buffer.byteLength(out, 'utf8');
  if (bytes > MAX_S3_KEY_BYTES) throw new KeyTooLongError(key, bytes);
  return out;
}

/** The keys an original's renditions are written to, in the renditions' order (the first is the primary one). */
export function planRenditionKeys(key: string, renditions: readonly Rendition[]): ThumbnailTarget[] {
  return renditions.map((rendition) => ({ rendition, key: renditionKey(key, rendition) }));
}

const EXTENSIONS = Object.values(FORMATS).map((format) => format.extension.slice(1));
const OUTPUT_NAME = new RegExp(
  `^(.*)([${NAMING.canonicalSeparator}\\${NAMING.otherSeparator}])([a-z][a-z0-9]*)\\.(${EXTENSIONS.join('|')})$`,
  's',
);

/**
 * The original an output key was made from and the rendition's name, or undefined when no key's
 * output is named so: the inverse of renditionKey, which is why two originals can never share an output.
 */
export function sourceOfOutputKey(
  outputKey: string,
): { readonly sourceKey: string; readonly rendition: string; readonly format: OutputFormat } | undefined {
  const { dir, name } = splitKey(outputKey);
  const match = OUTPUT_NAME.exec(name);
  if (!match) return undefined;
  const [, base = '', separator, rendition = '', extension] = match;
  const format = OUTPUT_FORMATS.find((candidate) => FORMATS[candidate].extension === `.${extension}`) as OutputFormat;
  if (separator === NAMING.otherSeparator) return { sourceKey: `${dir}${base}`, rendition, format };
  return base === '' ? undefined : { sourceKey: `${dir}${base}${NAMING.canonicalExtension}`, rendition, format };
}

/** True for keys this function writes for one of `renditions`; such keys are never processed as originals. */
export function isOutputKey(key: string, renditions: readonly Pick<Rendition, 'name' | 'format'>[]): boolean {
  const parsed = sourceOfOutputKey(key);
  return parsed !== undefined && renditions.some((rendition) => rendition.name === parsed.rendition && rendition.format === parsed.format);
}
