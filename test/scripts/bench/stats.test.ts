import { describe, expect, it } from 'vitest';
import { iterationsFor, median, ratio } from '../../../scripts/bench/stats';

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('has no median of nothing, and no ratio to zero', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(ratio(1, 0)).toBeNaN();
  });
});

describe('iterationsFor', () => {
  it('runs fewer iterations on big images', () => {
    expect([iterationsFor(1), iterationsFor(12), iterationsFor(24)]).toEqual([15, 9, 5]);
  });
});
