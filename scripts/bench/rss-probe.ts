/**
 * Peak resident memory of one render, in a fresh process: `rss-probe.ts <jpeg> [renditions JSON]`
 * (default: the default thumbnail) prints {"baselineMB": <after loading sharp>, "peakMB": <after
 * rendering>}. With no file, only the baseline.
 */

import { readFileSync } from 'node:fs';
import { DEFAULTS, LIMITS, type Rendition } from '../../handlers/thumbnail/constants';
import { readJpegHeader, renderThumbnails } from '../../handlers/thumbnail/image';
import { planSizes } from '../../handlers/thumbnail/plan';
import { peakRssMB as maxRssMB } from '../lib/peak-rss';

async function main() {
  const [file, renditionsJson] = process.argv.slice(2);
  const renditions: readonly Rendition[] = renditionsJson ? JSON.parse(renditionsJson) : DEFAULTS.renditions;
  const baselineMB = maxRssMB();
  if (file) {
    const input = readFileSync(file);
    // The probe measures what decoding costs, so no decode limit applies here.
    const header = await readJpegHeader(input, {
      maxInputPixels: LIMITS.maxInputPixels,
      maxDecodeMs: Number.POSITIVE_INFINITY,
      maxDecodeBytes: Number.POSITIVE_INFINITY,
    });
    const targets = renditions.map((rendition) => ({ rendition, key: rendition.name }));
    await renderThumbnails(input, header, planSizes(header.display, targets), { maxInputPixels: LIMITS.maxInputPixels });
  }
  console.log(JSON.stringify({ baselineMB: Math.round(baselineMB), peakMB: Math.round(maxRssMB()) }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
