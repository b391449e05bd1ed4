/** Object keys: decoding them from events, encoding them as S3 does, and naming thumbnails. */

import { MAX_S3_KEY_BYTES, NAMING, OUTPUT_EXTENSION } from './constants';
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

const FORM_SAFE = /[A-Za-z0-9\-_.*/]/;

/**
 * Encode a key the way S3 writes it into event notifications (the inverse of decodeEventKey):
 * space as `+`, `/` and `A-Za-z0-9-_.*` kept, every other byte of the UTF-8 form as `%XX`.
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (FORM_SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// How an original's name becomes its thumbnail's (NAMING, in constants.ts): a name ending in the
// canonical `.jpg` (with something before it) drops it, `photo.jpg` -> `photo-thumbnail.jpg`; any
// other name (`.JPG`, `.jpeg`, none) is kept whole, with a dot: `IMG_1.JPG` -> `IMG_1.JPG.thumbnail.jpg`.
// The two forms end differently (`-thumbnail` vs `.thumbnail`) and each is undone by removing what
// it added, so no two keys share a thumbnail whatever suffixes the trigger accepts (`coll.jpg` and
// `coll.JPG` used to): sourceKeyOfThumbnail is the inverse.

function splitKey(key: string): { readonly dir: string; readonly name: string } {
  const slash = key.lastIndexOf('/');
  return { dir: key.slice(0, slash + 1), name: key.slice(slash + 1) };
}

/** `thumbnail` for the primary width, `thumbnail-<width>` for the others. */
const outputSuffix = (width: number | undefined) => (width === undefined ? NAMING.outputName : `${NAMING.outputName}-${width}`);

function thumbnailKey(key: string, suffix: string): string {
  const { dir, name } = splitKey(key);
  const stemLength = name.length - NAMING.canonicalExtension.length;
  const canonical = stemLength > 0 && name.endsWith(NAMING.canonicalExtension);
  const out = canonical
    ? `${dir}${name.slice(0, stemLength)}${NAMING.canonicalSeparator}${suffix}${OUTPUT_EXTENSION}`
    : `${dir}${name}${NAMING.otherSeparator}${suffix}${OUTPUT_EXTENSION}`;
  const bytes = Buffer.byteLength(out, 'utf8');
  if (bytes > MAX_S3_KEY_BYTES) throw new KeyTooLongError(key, bytes);
  return out;
}

/**
 * The keys an original's thumbnails are written to: the first (primary) width as
 * `<dir>/<stem>-thumbnail.jpg`, any further width as `<dir>/<stem>-thumbnail-<width>.jpg`
 * (for names not ending in `.jpg`: `<dir>/<name>.thumbnail.jpg`, `<dir>/<name>.thumbnail-<width>.jpg`).
 */
export function planThumbnailKeys(key: string, widths: readonly number[]): ThumbnailTarget[] {
  return widths.map((width, index) => ({ width, key: thumbnailKey(key, outputSuffix(index === 0 ? undefined : width)) }));
}

const OUTPUT_NAME = new RegExp(
  `^(.*)([${NAMING.canonicalSeparator}\\${NAMING.otherSeparator}])${NAMING.outputName}(-[1-9][0-9]*)?\\${OUTPUT_EXTENSION}$`,
  's',
);

/**
 * The original a thumbnail key was made from, or undefined when no key's thumbnail is named so:
 * the inverse of planThumbnailKeys, which is why two originals can never share a thumbnail.
 */
export function sourceKeyOfThumbnail(thumbnailKey: string): string | undefined {
  const { dir, name } = splitKey(thumbnailKey);
  const match = OUTPUT_NAME.exec(name);
  if (!match) return undefined;
  const [, base = '', separator] = match;
  if (separator === NAMING.otherSeparator) return `${dir}${base}`;
  return base === '' ? undefined : `${dir}${base}${NAMING.canonicalExtension}`;
}

/** True for keys this function writes; such keys are never processed as originals. */
export function isThumbnailKey(key: string): boolean {
  return sourceKeyOfThumbnail(key) !== undefined;
}
