import { describe, expect, it } from 'vitest';
import { FORMATS, type Rendition } from '../../../handlers/thumbnail/constants';
import {
  compareSequencers,
  decideDelete,
  decideWrite,
  planIntermediate,
  planSizes,
  unstoppableEncodeMs,
} from '../../../handlers/thumbnail/plan';
import type { PlannedThumbnail } from '../../../handlers/thumbnail/types';

const jpeg = (name: string, width: number, extra: Partial<Rendition> = {}): Rendition => ({
  name,
  width,
  format: 'jpeg',
  quality: 80,
  ...extra,
});
const target = (width: number, extra: Partial<Rendition> = {}) => ({ rendition: jpeg(`w${width}`, width, extra), key: `k-${width}` });
const sized = (planned: readonly PlannedThumbnail[]) => planned.map(({ key, width, height, crop }) => ({ key, width, height, crop }));

describe('planSizes', () => {
  it.each([
    // source w x h, target width -> output w x h
    [4000, 3000, 100, 100, 75],
    [3000, 4000, 100, 100, 133],
    [1, 1, 100, 1, 1],
    [20000, 100, 100, 100, 1],
    [100, 20000, 100, 100, 20000],
    [80, 60, 100, 80, 60],
    [100, 100, 100, 100, 100],
    [333, 500, 100, 100, 150],
    [3, 2, 2, 2, 1],
  ])('%ix%i at width %i -> %ix%i', (width, height, wanted, outWidth, outHeight) => {
    expect(sized(planSizes({ width, height }, [target(wanted)]))).toEqual([
      { width: outWidth, height: outHeight, key: `k-${wanted}`, crop: false },
    ]);
  });

  it('plans each rendition independently and keeps their keys', () => {
    expect(sized(planSizes({ width: 4000, height: 3000 }, [target(100), target(400), target(1200)]))).toEqual([
      { key: 'k-100', width: 100, height: 75, crop: false },
      { key: 'k-400', width: 400, height: 300, crop: false },
      { key: 'k-1200', width: 1200, height: 900, crop: false },
    ]);
  });

  it.each([
    // source, box -> cover output, its scale
    [4000, 3000, 256, 256, 256, 256, 256 / 3000],
    [3000, 4000, 256, 256, 256, 256, 256 / 3000],
    [20000, 100, 256, 256, 256, 100, 1],
    [200, 100, 256, 256, 200, 100, 1],
    [1000, 100, 256, 256, 256, 100, 1],
    [4000, 3000, 1200, 300, 1200, 300, 0.3],
  ])('cover: %ix%i into %ix%i -> exactly %ix%i (the box, or the source where it is smaller)', (w, h, bw, bh, ow, oh, scale) => {
    const [planned] = planSizes({ width: w, height: h }, [target(bw, { height: bh, fit: 'cover' })]);
    expect(planned).toMatchObject({ width: ow, height: oh, crop: true });
    expect(planned?.scale).toBeCloseTo(scale, 6);
  });

  it.each([
    [4000, 3000, 256, 256, 256, 192],
    [3000, 4000, 256, 256, 192, 256],
    [200, 100, 256, 256, 200, 100],
    [4000, 3000, 1200, 300, 400, 300],
  ])('inside: %ix%i into %ix%i -> %ix%i, aspect kept, never upscaled', (w, h, bw, bh, ow, oh) => {
    expect(sized(planSizes({ width: w, height: h }, [target(bw, { height: bh, fit: 'inside' })]))).toEqual([
      { key: `k-${bw}`, width: ow, height: oh, crop: false },
    ]);
  });

  it('refuses an empty source', () => {
    expect(() => planSizes({ width: 0, height: 10 }, [target(100)])).toThrow(RangeError);
  });
});

describe('planIntermediate', () => {
  it('is the source at the largest scale any output needs, a crop included', () => {
    const source = { width: 4000, height: 3000 };
    const planned = planSizes(source, [target(100), target(256, { height: 256, fit: 'cover' }), target(1200)]);
    expect(planIntermediate(source, planned)).toEqual({ width: 1200, height: 900 });
    const avatars = planSizes(source, [target(100), target(512, { height: 512, fit: 'cover' })]);
    // Covering 512x512 needs the 3000 px side at 512: the 4000 px side at 683.
    expect(planIntermediate(source, avatars)).toEqual({ width: 683, height: 512 });
  });

  it('is undefined where that image would be too large (an extreme aspect ratio cropped large): each output streams then', () => {
    const source = { width: 1000, height: 100_000 };
    const planned = planSizes(source, [target(100), target(4000, { height: 4000, fit: 'cover' })]);
    expect(planIntermediate(source, planned)).toBeUndefined();
  });
});

describe('compareSequencers', () => {
  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E5', 0],
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6', -1],
    ['0055AED6DCD90281E6', '0055AED6DCD90281E5', 1],
    ['A', '0A', 0],
    ['FF', '100', -1],
    ['0a', '0A', 0],
  ])('compare(%s, %s) = %i', (a, b, expected) => {
    expect(Math.sign(compareSequencers(a, b))).toBe(expected);
  });
});

describe('decideWrite', () => {
  const existing = { etag: '"t1"', sourceEtag: 'e1', sourceSequencer: '0A' };

  it('writes when there is no thumbnail', () => {
    expect(decideWrite({ eTag: 'e1', sequencer: '0A' }, undefined)).toBe('write');
  });
  it('skips a duplicate delivery of the same event', () => {
    expect(decideWrite({ eTag: 'e1', sequencer: '0A' }, existing)).toBe('duplicate');
  });
  it('skips an older event arriving after a newer one', () => {
    expect(decideWrite({ eTag: 'e0', sequencer: '09' }, existing)).toBe('stale');
  });
  it('writes for a newer event, even with identical content', () => {
    expect(decideWrite({ eTag: 'e1', sequencer: '0B' }, existing)).toBe('write');
  });
  it('falls back to the source ETag when there are no sequencers', () => {
    expect(decideWrite({ eTag: 'e1' }, { etag: '"t"', sourceEtag: 'e1' })).toBe('duplicate');
    expect(decideWrite({ eTag: 'e2' }, { etag: '"t"', sourceEtag: 'e1' })).toBe('write');
    expect(decideWrite({}, { etag: '"t"' })).toBe('write');
  });
  it("never lets a backfill (no sequencer) replace a notification's thumbnail of another version", () => {
    expect(decideWrite({ eTag: 'e2' }, existing)).toBe('stale');
    expect(decideWrite({ eTag: 'e1' }, existing)).toBe('duplicate');
    // ...but a backfill refreshes what a backfill made, and a notification replaces it.
    expect(decideWrite({ eTag: 'e2' }, { etag: '"t"', sourceEtag: 'e1' })).toBe('write');
    expect(decideWrite({ eTag: 'e2', sequencer: '0B' }, { etag: '"t"', sourceEtag: 'e1' })).toBe('write');
  });
});

describe('planSizes output bound', () => {
  it('narrows a very tall image so no output exceeds the output pixel bound, keeping the aspect ratio', () => {
    const [planned] = planSizes({ width: 4100, height: 65_000 }, [{ rendition: jpeg('big', 4096), key: 'k' }], 4096 * 4096);
    expect(planned!.width * planned!.height).toBeLessThanOrEqual(4096 * 4096);
    expect(planned!.width).toBeGreaterThan(1000);
    expect(planned!.height / planned!.width).toBeCloseTo(65_000 / 4100, 1);
  });

  it('caps AVIF outputs at its format bound (its encoder cannot be stopped), narrowing as for tall images', () => {
    const avif = (width: number) => ({ rendition: jpeg('preview', width, { format: 'avif' }), key: 'k' });
    const [wide] = planSizes({ width: 4000, height: 3000 }, [avif(4000)]);
    expect(wide!.width * wide!.height).toBeLessThanOrEqual(2_000_000);
    expect(wide!.width).toBeGreaterThan(1600);
    expect(sized(planSizes({ width: 4000, height: 3000 }, [avif(1200)]))).toEqual([{ key: 'k', width: 1200, height: 900, crop: false }]);
    expect(unstoppableEncodeMs(planSizes({ width: 4000, height: 3000 }, [avif(1200)]))).toBeCloseTo(
      1.08 * FORMATS.avif.unstoppableMsPerMegapixel,
      5,
    );
    expect(unstoppableEncodeMs(planSizes({ width: 4000, height: 3000 }, [target(4000)]))).toBe(0);
  });

  it('leaves every 100 px thumbnail alone: even 100x65500 is under the bound', () => {
    expect(sized(planSizes({ width: 1500, height: 65_500 }, [{ rendition: jpeg('thumbnail', 100), key: 'k' }]))).toEqual([
      { width: 100, height: 4367, key: 'k', crop: false },
    ]);
  });
});

describe('decideDelete', () => {
  const source = { bucket: 'originals', key: 'a/coll.JPG' };
  const madeFrom = { etag: '"t"', sourceBucket: 'originals', sourceKey: 'a/coll.JPG' };
  it('deletes a thumbnail made before the delete', () => {
    expect(decideDelete({ ...source, sequencer: '0B' }, { ...madeFrom, sourceSequencer: '0A' })).toBe(true);
  });
  it('keeps a thumbnail made from a later re-upload', () => {
    expect(decideDelete({ ...source, sequencer: '0B' }, { ...madeFrom, sourceSequencer: '0C' })).toBe(false);
  });
  it('has nothing to delete when there is no thumbnail', () => {
    expect(decideDelete({ ...source, sequencer: '0B' }, undefined)).toBe(false);
  });
  it('deletes when ordering is unknown', () => {
    expect(decideDelete(source, { ...madeFrom, sourceSequencer: '0C' })).toBe(true);
  });
  it('keeps a thumbnail whose provenance names another original (an older naming shared it)', () => {
    expect(decideDelete({ ...source, sequencer: '0B' }, { ...madeFrom, sourceKey: 'a/coll.jpg', sourceSequencer: '0A' })).toBe(false);
    expect(decideDelete({ ...source, sequencer: '0B' }, { ...madeFrom, sourceBucket: 'other', sourceSequencer: '0A' })).toBe(false);
  });
  it('keeps a thumbnail that does not say where it came from', () => {
    expect(decideDelete(source, { etag: '"t"' })).toBe(false);
  });
});
