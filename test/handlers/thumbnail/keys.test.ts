import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { THUMBNAIL_KEY_PATTERNS } from '../../../handlers/thumbnail/constants';
import { InvalidEventError, KeyTooLongError } from '../../../handlers/thumbnail/errors';
import { decodeEventKey, encodeEventKey, isThumbnailKey, planThumbnailKeys, sourceKeyOfThumbnail } from '../../../handlers/thumbnail/keys';

describe('decodeEventKey', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['my+holiday+photo.jpg', 'my holiday photo.jpg'],
    ['a%2Bb.jpg', 'a+b.jpg'],
    ['a%2Bb+c.jpg', 'a+b c.jpg'],
    ['%E5%86%99%E7%9C%9F/%E6%9D%B1%E4%BA%AC.jpg', '写真/東京.jpg'],
    ['caf%C3%A9+%F0%9F%93%B7.jpg', 'café 📷.jpg'],
    ['2024/05/01/trip/IMG_0001.jpg', '2024/05/01/trip/IMG_0001.jpg'],
    ['a/b.c/photo.v2.JPG', 'a/b.c/photo.v2.JPG'],
    ['100%25+real.jpg', '100% real.jpg'],
    ['%28draft%29+%26+notes.jpg', '(draft) & notes.jpg'],
  ])('decodes %s to %s', (encoded, decoded) => {
    expect(decodeEventKey(encoded)).toBe(decoded);
  });

  it('refuses malformed escapes with a typed error', () => {
    expect(() => decodeEventKey('bad%E0%A4%A.jpg')).toThrow(InvalidEventError);
    expect(() => decodeEventKey('bad%zz.jpg')).toThrow(InvalidEventError);
  });
});

describe('encodeEventKey', () => {
  it.each([
    ['my holiday photo.jpg', 'my+holiday+photo.jpg'],
    ['a+b.jpg', 'a%2Bb.jpg'],
    ['写真/東京.jpg', '%E5%86%99%E7%9C%9F/%E6%9D%B1%E4%BA%AC.jpg'],
    ['(draft) & notes.jpg', '%28draft%29+%26+notes.jpg'],
    ['keep/-_.*/slashes.jpg', 'keep/-_.*/slashes.jpg'],
  ])('encodes %s as S3 does: %s', (key, encoded) => {
    expect(encodeEventKey(key)).toBe(encoded);
  });

  it.each(['plain.jpg', 'a b+c%d.jpg', 'ünï/cødé 📷.jpg', "quote's ~tilde~ #hash?.jpg", '  two  spaces  .jpg'])(
    'round-trips %s through decodeEventKey',
    (key) => {
      expect(decodeEventKey(encodeEventKey(key))).toBe(key);
    },
  );
});

describe('planThumbnailKeys', () => {
  it.each([
    ['photo.jpg', 'photo-thumbnail.jpg'],
    ['photos/cat.jpg', 'photos/cat-thumbnail.jpg'],
    ['a/b.c/photo.v2.jpg', 'a/b.c/photo.v2-thumbnail.jpg'],
    ['my holiday photo.jpg', 'my holiday photo-thumbnail.jpg'],
    ['a+b.jpg', 'a+b-thumbnail.jpg'],
    ['写真/東京.jpg', '写真/東京-thumbnail.jpg'],
    ['archive.tar.gz.jpg', 'archive.tar.gz-thumbnail.jpg'],
    // Any other name is kept whole, so coll.JPG and coll.jpg cannot share a thumbnail.
    ['a/b.c/photo.v2.JPG', 'a/b.c/photo.v2.JPG.thumbnail.jpg'],
    ['coll.JPG', 'coll.JPG.thumbnail.jpg'],
    ['deep/nested/folders/x.jpeg', 'deep/nested/folders/x.jpeg.thumbnail.jpg'],
    ['no-extension', 'no-extension.thumbnail.jpg'],
    ['dir.with.dots/no-extension', 'dir.with.dots/no-extension.thumbnail.jpg'],
    ['.jpg', '.jpg.thumbnail.jpg'],
    ['folder/', 'folder/.thumbnail.jpg'],
  ])('names the thumbnail of %s as %s', (key, expected) => {
    expect(planThumbnailKeys(key, [100])).toEqual([{ width: 100, key: expected }]);
  });

  it('names further widths after the primary one', () => {
    expect(planThumbnailKeys('a/photo.jpg', [100, 400, 1200])).toEqual([
      { width: 100, key: 'a/photo-thumbnail.jpg' },
      { width: 400, key: 'a/photo-thumbnail-400.jpg' },
      { width: 1200, key: 'a/photo-thumbnail-1200.jpg' },
    ]);
  });

  it('refuses a key whose thumbnail name would exceed 1024 bytes', () => {
    const key = `${'é'.repeat(506)}.jpg`; // 1016 bytes; its thumbnail would be 1012 + 14 = 1026
    expect(() => planThumbnailKeys(key, [100])).toThrow(KeyTooLongError);
    // 505 two-byte characters: the thumbnail key is exactly 1024 bytes, which S3 allows.
    expect(planThumbnailKeys(`${'é'.repeat(505)}.jpg`, [100])[0]?.key).toMatch(/-thumbnail\.jpg$/);
  });
});

/** Keys made of the pieces that confuse naming schemes: dots, dashes, slashes, extensions in any case, the marker itself. */
const awkwardKey = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '.',
        '-',
        '/',
        '.jpg',
        '.JPG',
        '.jpeg',
        '.Jpg',
        'thumbnail',
        '-thumbnail',
        '.thumbnail',
        '-400',
        '-0',
        ' ',
        '+',
        '%',
        '写',
      ),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const WIDTH_SETS = [[100], [100, 400], [100, 400, 1200], [250, 100]] as const;

describe('thumbnail naming is injective', () => {
  it('maps the default photos/cat.jpg to photos/cat-thumbnail.jpg, and any <dir>/<stem>.jpg to <dir>/<stem>-thumbnail.jpg', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !s.includes('/')),
        fc.string({ maxLength: 20 }),
        (stem, dir) => {
          fc.pre(stem.length > 0);
          const folder = dir === '' ? '' : `${dir}/`;
          expect(planThumbnailKeys(`${folder}${stem}.jpg`, [100])[0]?.key).toBe(`${folder}${stem}-thumbnail.jpg`);
        },
      ),
    );
  });

  it('undoes every name it makes: sourceKeyOfThumbnail(thumbnail) is the original, for every width', () => {
    fc.assert(
      fc.property(awkwardKey, fc.constantFrom(...WIDTH_SETS), (key, widths) => {
        for (const target of planThumbnailKeys(key, widths)) expect(sourceKeyOfThumbnail(target.key)).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives two originals the same thumbnail key, under any widths', () => {
    fc.assert(
      fc.property(fc.uniqueArray(awkwardKey, { minLength: 2, maxLength: 30 }), fc.constantFrom(...WIDTH_SETS), (keys, widths) => {
        const owner = new Map<string, string>();
        for (const key of keys) {
          for (const target of planThumbnailKeys(key, widths)) {
            expect(owner.get(target.key) ?? key).toBe(key);
            owner.set(target.key, key);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never gives one name under different extensions (or none) the same thumbnail key', () => {
    const extensions = ['', '.jpg', '.JPG', '.jpeg', '.JPEG', '.Jpg', '.jpg.jpg', '.JPG.jpg', '.thumbnail.jpg', '-thumbnail.jpg', '.png'];
    fc.assert(
      fc.property(awkwardKey, fc.constantFrom(...WIDTH_SETS), (base, widths) => {
        const owner = new Map<string, string>();
        for (const key of extensions.map((extension) => `${base}${extension}`)) {
          for (const target of planThumbnailKeys(key, widths)) {
            expect(owner.get(target.key) ?? key).toBe(key);
            owner.set(target.key, key);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gives coll.jpg, coll.JPG, coll.jpeg and coll four different thumbnails', () => {
    const keys = ['coll.jpg', 'coll.JPG', 'coll.jpeg', 'coll', 'coll.JPG.jpg'].map((key) => planThumbnailKeys(key, [100])[0]?.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names every thumbnail within the IAM key patterns the execution role is given', () => {
    const patterns = THUMBNAIL_KEY_PATTERNS.map(
      (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`, 's'),
    );
    fc.assert(
      fc.property(awkwardKey, fc.constantFrom(...WIDTH_SETS), (key, widths) => {
        for (const target of planThumbnailKeys(key, widths)) expect(patterns.some((pattern) => pattern.test(target.key))).toBe(true);
      }),
    );
  });
});

describe('isThumbnailKey', () => {
  it.each([
    ['photo-thumbnail.jpg', true],
    ['a/photo-thumbnail-400.jpg', true],
    ['a/coll.JPG.thumbnail.jpg', true],
    ['a/coll.JPG.thumbnail-400.jpg', true],
    ['-thumbnail.jpg', false],
    ['photo.jpg', false],
    ['photo-thumbnail.jpg.jpg', false],
    ['photo-thumbnail-.jpg', false],
    ['photo-thumbnail-0400.jpg', false],
    ['thumbnail.jpg', false],
  ])('%s -> %s', (key, expected) => {
    expect(isThumbnailKey(key)).toBe(expected);
  });

  it('recognises every key planThumbnailKeys produces', () => {
    for (const { key } of planThumbnailKeys('x/y z.jpg', [100, 250, 1200])) expect(isThumbnailKey(key)).toBe(true);
  });
});
