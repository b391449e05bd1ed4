/** Small statistics for the benchmarks. Pure. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export const ratio = (numerator: number, denominator: number): number => (denominator > 0 ? numerator / denominator : Number.NaN);

export const fixed = (value: number | undefined, digits = 1): string =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);

/** Iterations for an image of `megapixels`: fewer for big images, at least 5 for a stable median. */
export const iterationsFor = (megapixels: number): number => (megapixels >= 20 ? 5 : megapixels >= 5 ? 9 : 15);
