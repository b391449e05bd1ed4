/**
 * The charts `make bench` writes beside its tables (.bench/*.svg): horizontal bars, plain SVG, no
 * library. Pure: data in, SVG text out.
 */

import { escapeXml } from '../lib/xml';

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Drawn in the second colour (the reference, say). */
  readonly secondary?: boolean;
}

export interface BarChart {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  /** A vertical line: a target or a limit. */
  readonly limit?: { readonly value: number; readonly label: string };
}

export function barChart(chart: BarChart): string {
  const labelWidth = Math.min(560, 8 + 6.6 * Math.max(...chart.bars.map((bar) => bar.label.length), 10));
  const plotWidth = 420;
  const row = 18;
  const top = 36;
  const max = Math.max(...chart.bars.map((bar) => bar.value), chart.limit?.value ?? 0) * 1.05 || 1;
  const x = (value: number) => labelWidth + (value / max) * plotWidth;
  const height = top + chart.bars.length * row + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<text x="8" y="20" font-size="13" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  chart.bars.forEach((bar, index) => {
    const y = top + index * row;
    parts.push(
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(0.5, x(bar.value) - labelWidth).toFixed(1)}" height="${row - 5}" fill="${bar.secondary ? '#b0b7c3' : '#3b6fb6'}"/>`,
      `<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + 12}">${bar.value.toFixed(bar.value < 10 ? 2 : 0)} ${escapeXml(chart.unit)}</text>`,
    );
  });
  if (chart.limit) {
    const at = x(chart.limit.value).toFixed(1);
    parts.push(
      `<line x1="${at}" y1="${top - 4}" x2="${at}" y2="${height - 22}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
      `<text x="${at}" y="${height - 8}" text-anchor="middle" fill="#c0392b">${escapeXml(chart.limit.label)}</text>`,
    );
  }
  parts.push('</svg>', '');
  return parts.join('\n');
}
