import { describe, expect, it } from 'vitest';
import { compareSequencers, decideDelete, decideWrite, planSizes } from '../../../handlers/thumbnail/plan';

const target = (width: number) => ({ width, key: `k-${width}` });

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
    expect(planSizes({ width, height }, [target(wanted)])).toEqual([{ width: outWidth, height: outHeight, key: `k-${wanted}` }]);
  });

  it('plans each width independently and keeps their keys', () => {
    expect(planSizes({ width: 4000, height: 3000 }, [target(100), target(400), target(1200)])).toEqual([
      { key: 'k-100', width: 100, height: 75 },
      { key: 'k-400', width: 400, height: 300 },
      { key: 'k-1200', width: 1200, height: 900 },
    ]);
  });

  it('refuses an empty source', () => {
    expect(() => planSizes({ width: 0, height: 10 }, [target(100)])).toThrow(RangeError);
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
    const [planned] = planSizes({ width: 4100, height: 65_000 }, [{ width: 4096, key: 'k' }], 4096 * 4096);
    expect(planned!.width * planned!.height).toBeLessThanOrEqual(4096 * 4096);
    expect(planned!.width).toBeGreaterThan(1000);
    expect(planned!.height / planned!.width).toBeCloseTo(65_000 / 4100, 1);
  });

  it('leaves every 100 px thumbnail alone: even 100x65500 is under the bound', () => {
    expect(planSizes({ width: 1500, height: 65_500 }, [{ width: 100, key: 'k' }])).toEqual([{ width: 100, height: 4367, key: 'k' }]);
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
