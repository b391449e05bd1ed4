import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, OUTPUT_FORMATS, type Rendition, renditionKeyPatterns } from '../../../handlers/thumbnail/constants';
import { InvalidEventError, KeyTooLongError } from '../../../handlers/thumbnail/errors';
import {
  decodeEventKey,
  encodeEventKey,
  isOutputKey,
  planRenditionKeys,
  renditionKey,
  sourceOfOutputKey,
} from '../../../handlers/thumbnail/keys';

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

const THUMBNAIL = DEFAULTS.renditions[0] as Rendition;
const r = (name: string, format: Rendition['format'] = 'jpeg', width = 100): Rendition => ({ name, width, format, quality: 80 });

describe('renditionKey and planRenditionKeys', () => {
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
  ])('names the default thumbnail of %s as %s (as before renditions)', (key, expected) => {
    expect(renditionKey(key, THUMBNAIL)).toBe(expected);
  });

  it("names each rendition with its name and its format's extension, in the configured order", () => {
    expect(planRenditionKeys('a/photo.jpg', [THUMBNAIL, r('avatar', 'webp'), r('preview', 'avif')]).map((target) => target.key)).toEqual([
      'a/photo-thumbnail.jpg',
      'a/photo-avatar.webp',
      'a/photo-preview.avif',
    ]);
    expect(renditionKey('a/IMG_1.JPG', r('avatar', 'webp'))).toBe('a/IMG_1.JPG.avatar.webp');
  });

  it('refuses a key whose output name would exceed 1024 bytes', () => {
    const key = `${'é'.repeat(506)}.jpg`; // 1016 bytes; its thumbnail would be 1012 + 14 = 1026
    expect(() => renditionKey(key, THUMBNAIL)).toThrow(KeyTooLongError);
    // 505 two-byte characters: the thumbnail key is exactly 1024 bytes, which S3 allows.
    expect(renditionKey(`${'é'.repeat(505)}.jpg`, THUMBNAIL)).toMatch(/-thumbnail\.jpg$/);
  });
});

/** Keys made of the pieces that confuse naming schemes: dots, dashes, slashes, extensions in any case, rendition names themselves. */
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
        '.webp',
        '.avif',
        'thumbnail',
        '-thumbnail',
        '.thumbnail',
        '-avatar',
        '.avatar.webp',
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

/** Rendition sets: the default, several formats, names that are prefixes of others, digits. */
const RENDITION_SETS: readonly (readonly Rendition[])[] = [
  [THUMBNAIL],
  [THUMBNAIL, r('avatar', 'webp'), r('preview', 'webp', 1200)],
  [r('a'), r('a', 'webp'), r('ab', 'avif'), r('a1')],
  [r('x2', 'avif'), THUMBNAIL, r('thumbnail2', 'jpeg', 400)],
];
const renditionName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const arbitraryRenditions = fc.uniqueArray(
  fc.record({ name: renditionName, format: fc.constantFrom<Rendition['format']>(...OUTPUT_FORMATS) }),
  {
    minLength: 1,
    maxLength: 5,
    selector: (value) => value.name,
  },
);

describe('output naming is injective', () => {
  it('maps any <dir>/<stem>.jpg to <dir>/<stem>-thumbnail.jpg by default', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !s.includes('/')),
        fc.string({ maxLength: 20 }),
        (stem, dir) => {
          fc.pre(stem.length > 0);
          const folder = dir === '' ? '' : `${dir}/`;
          expect(renditionKey(`${folder}${stem}.jpg`, THUMBNAIL)).toBe(`${folder}${stem}-thumbnail.jpg`);
        },
      ),
    );
  });

  it('undoes every name it makes: sourceOfOutputKey(output) is the original and the rendition, for any renditions', () => {
    fc.assert(
      fc.property(awkwardKey, arbitraryRenditions, (key, renditions) => {
        for (const rendition of renditions)
          expect(sourceOfOutputKey(renditionKey(key, rendition))).toEqual({
            sourceKey: key,
            rendition: rendition.name,
            format: rendition.format,
          });
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives two (original, rendition) pairs the same output key', () => {
    fc.assert(
      fc.property(fc.uniqueArray(awkwardKey, { minLength: 2, maxLength: 30 }), fc.constantFrom(...RENDITION_SETS), (keys, renditions) => {
        const owner = new Map<string, string>();
        for (const key of keys) {
          for (const target of planRenditionKeys(key, renditions)) {
            const pair = `${key}\u0000${target.rendition.name}`;
            expect(owner.get(target.key) ?? pair).toBe(pair);
            owner.set(target.key, pair);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never gives one name under different extensions (or none) the same output key', () => {
    const extensions = [
      '',
      '.jpg',
      '.JPG',
      '.jpeg',
      '.JPEG',
      '.Jpg',
      '.jpg.jpg',
      '.JPG.jpg',
      '.thumbnail.jpg',
      '-thumbnail.jpg',
      '.png',
      '.webp',
    ];
    fc.assert(
      fc.property(awkwardKey, fc.constantFrom(...RENDITION_SETS), (base, renditions) => {
        const owner = new Map<string, string>();
        for (const key of extensions.map((extension) => `${base}${extension}`)) {
          for (const target of planRenditionKeys(key, renditions)) {
            expect(owner.get(target.key) ?? key).toBe(key);
            owner.set(target.key, key);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gives coll.jpg, coll.JPG, coll.jpeg and coll different thumbnails', () => {
    const keys = ['coll.jpg', 'coll.JPG', 'coll.jpeg', 'coll', 'coll.JPG.jpg'].map((key) => renditionKey(key, THUMBNAIL));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("names every output within the IAM key patterns the execution role is given for its renditions, and no other rendition's", () => {
    const toRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`, 's');
    fc.assert(
      fc.property(awkwardKey, arbitraryRenditions, renditionName, (key, renditions, other) => {
        const patterns = renditionKeyPatterns(renditions).map(toRegExp);
        for (const rendition of renditions) expect(patterns.some((pattern) => pattern.test(renditionKey(key, rendition)))).toBe(true);
        fc.pre(!renditions.some((rendition) => rendition.name === other));
        // The patterns end in `-<name>.<ext>` or `.<name>.<ext>`: an unconfigured name does not match (unless it ends in a configured one).
        const unconfigured = renditionKey(key, { name: other, format: 'jpeg' });
        const suffixOfConfigured = renditions.some((rendition) => rendition.format === 'jpeg' && other.endsWith(rendition.name));
        if (!suffixOfConfigured) expect(patterns.some((pattern) => pattern.test(unconfigured))).toBe(false);
      }),
    );
  });
});

describe('isOutputKey', () => {
  const renditions = [THUMBNAIL, r('avatar', 'webp')];
  it.each([
    ['photo-thumbnail.jpg', true],
    ['a/coll.JPG.thumbnail.jpg', true],
    ['a/photo-avatar.webp', true],
    ['a/photo-avatar.jpg', false],
    ['a/photo-preview.webp', false],
    ['my-dog.jpg', false],
    ['-thumbnail.jpg', false],
    ['photo.jpg', false],
    ['photo-thumbnail.jpg.jpg', false],
    ['thumbnail.jpg', false],
  ])('%s -> %s', (key, expected) => {
    expect(isOutputKey(key, renditions)).toBe(expected);
  });

  it('recognises every key planRenditionKeys produces', () => {
    for (const { key } of planRenditionKeys('x/y z.jpg', renditions)) expect(isOutputKey(key, renditions)).toBe(true);
  });
});

describe('output names across input formats', () => {
  it('keeps two originals that differ only in format apart: photo.png and photo.jpg have two thumbnails', () => {
    const thumbnail = { name: 'thumbnail', format: 'jpeg' } as const;
    const keys = [
      'photos/photo.jpg',
      'photos/photo.png',
      'photos/photo.webp',
      'photos/photo.gif',
      'photos/photo.avif',
      'photos/photo.jpeg',
    ].map((key) => renditionKey(key, thumbnail));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('photos/photo.png.thumbnail.jpg');
    for (const key of keys) expect(sourceOfOutputKey(key)?.sourceKey).toMatch(/^photos\/photo\./);
  });
});
