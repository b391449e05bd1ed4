import { describe, expect, it } from 'vitest';
import { formatBytes, overBudget } from '../../../scripts/lib/budgets';

describe('overBudget', () => {
  it('reports only the checks over their limit, with sizes', () => {
    expect(
      overBudget([
        { label: 'a.zip', bytes: 100, limit: 200, what: 'the budget' },
        { label: 'b.zip', bytes: 3 * 1024 * 1024, limit: 2 * 1024 * 1024, what: "Lambda's limit" },
      ]),
    ).toEqual(["b.zip is 3.00 MB, over Lambda's limit of 2.00 MB"]);
  });

  it.each([
    [512, '512 B'],
    [2048, '2.0 KB'],
    [5 * 1024 * 1024, '5.00 MB'],
  ])('formats %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
