import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventKey } from '../../../handlers/thumbnail/keys';
import { manifestCsv, manifestKey, readManifestCsv, wanted } from '../../../scripts/backfill/manifest';

const AWKWARD = [
  'plain.jpg',
  'with space.jpg',
  'a+b=c.jpg',
  '写真/東京.jpg',
  'quote"and,comma.jpg',
  "it's (1)*.jpg",
  '100%.jpg',
  'line\nbreak.jpg',
];

describe('manifest CSV', () => {
  it('round-trips awkward keys', () => {
    const entries = AWKWARD.map((key) => ({ bucket: 'originals', key }));
    expect(readManifestCsv(manifestCsv(entries))).toEqual(entries);
  });

  it('encodes keys so both URL decodings give them back (no bare "+", no space)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }), (key) => {
        const encoded = manifestKey(key);
        expect(encoded).toMatch(/^[A-Za-z0-9%._~-]*$/);
        expect(decodeURIComponent(encoded)).toBe(key);
        // The handler decodes Batch's keys as S3 notifications are decoded ('+' is a space).
        expect(decodeEventKey(encoded)).toBe(key);
      }),
    );
  });

  it('keeps only the keys the trigger would have delivered', () => {
    expect(wanted('photos/a.jpg', ['.jpg'])).toBe(true);
    expect(wanted('photos/a.JPG', ['.jpg'])).toBe(false);
    expect(wanted('photos/a.png', ['.jpg', '.png'])).toBe(true);
    expect(wanted('other/a.jpg', ['.jpg'], 'photos/')).toBe(false);
  });
});
