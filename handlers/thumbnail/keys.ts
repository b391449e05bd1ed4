/** Object keys: decoding them from events, encoding them as S3 does, and naming thumbnails. */

import { MAX_S3_KEY_BYTES, OUTPUT_EXTENSION, THUMBNAIL_MARKER } from './constants';
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
    else
      for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface KeyParts {
  /** Everything up to and including the last `/`, or empty. */
  readonly dir: string;
  /** The file name without its last extension. */
  readonly stem: string;
}

function splitKey(key: string): KeyParts {
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const name = key.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  // A leading dot starts a hidden name, not an extension: ".jpg" has stem ".jpg".
  return { dir, stem: dot > 0 ? name.slice(0, dot) : name };
}

function thumbnailKey(key: string, suffix: string): string {
  const { dir, stem } = splitKey(key);
  const out = `${dir}${stem}${THUMBNAIL_MARKER}${suffix}${OUTPUT_EXTENSION}`;
  const bytes = Buffer.byteLength(out, 'utf8');
  if (bytes > MAX_S3_KEY_BYTES) throw new KeyTooLongError(key, bytes);
  return out;
}

/**
 * The keys an original's thumbnails are written to: the first (primary) width as
 * `<dir>/<stem>-thumbnail.jpg`, any further width as `<dir>/<stem>-thumbnail-<width>.jpg`.
 */
export function planThumbnailKeys(key: string, widths: readonly number[]): ThumbnailTarget[] {
  return widths.map((width, index) => ({ width, key: thumbnailKey(key, index === 0 ? '' : `-${width}`) }));
}

const OWN_OUTPUT = new RegExp(`${THUMBNAIL_MARKER}(-[1-9][0-9]*)?\\${OUTPUT_EXTENSION}$`);

/** True for keys this function writes; such keys are never processed as originals. */
export function isThumbnailKey(key: string): boolean {
  return OWN_OUTPUT.test(key);
}
