import { describe, expect, it } from 'vitest';
import { barChart } from '../../../scripts/bench/charts';

describe('barChart', () => {
  it('draws one bar per value, longest for the largest, with its label, value and the limit line', () => {
    const svg = barChart({
      title: 'Times <ms>',
      unit: 'ms',
      bars: [
        { label: 'a & b', value: 100 },
        { label: 'c', value: 400, secondary: true },
      ],
      limit: { value: 300, label: '300 ms' },
    });
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]).toBeCloseTo((widths[0] as number) * 4, 0);
    expect(svg).toContain('Times &lt;ms&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('>400 ms<');
    expect(svg).toMatch(/<line [^>]*stroke="#c0392b"/);
  });
});
