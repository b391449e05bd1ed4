import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIGURE, makeFigure } from '../../scripts/figure';

describe('the README figure', () => {
  it('is what make figure makes now (run it after changing the rendering)', async () => {
    expect(await makeFigure()).toBe(readFileSync(FIGURE, 'utf8'));
  }, 60_000);
});
