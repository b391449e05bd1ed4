/**
 * `make figure`: the README's before/after picture, docs/images/before-after.svg, made by the
 * project's own code: a generated photo (scripts/lib/samples.ts, stored sideways with EXIF
 * orientation 6, as phones store portraits), and what the function's rendering code makes of it:
 * the default thumbnail, and the renditions a site might configure. Deterministic: the same bytes
 * on every run with the same sharp, which the tests check against the committed file.
 */

import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { DEFAULTS, type Rendition } from '../handlers/thumbnail/constants';
import { decodeLimitsFor } from '../handlers/thumbnail/decode-cost';
import { readImageHeader, renderThumbnails } from '../handlers/thumbnail/image';
import { planSizes } from '../handlers/thumbnail/plan';
import { ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';
import { orientedImage } from './lib/samples';
import { escapeXml } from './lib/xml';

export const FIGURE = join(ROOT, 'docs', 'images', 'before-after.svg');

const RENDITIONS: Rendition[] = [
  DEFAULTS.renditions[0] as Rendition,
  { name: 'avatar', width: 128, height: 128, fit: 'cover', format: 'webp', quality: 80 },
  { name: 'preview', width: 300, format: 'webp', quality: 75 },
];

const dataUrl = (bytes: Uint8Array, type: string) => `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;

export async function makeFigure(): Promise<string> {
  // A 1200x900 photo-like card, stored sideways (900x1200 pixels) with EXIF orientation 6.
  const original = await orientedImage(1200, 900, 6, 'jpeg');
  const header = await readImageHeader(original, decodeLimitsFor({ ...DEFAULTS, functionMemoryMB: 1024 }, original.length), ['jpeg']);
  const outputs = await renderThumbnails(
    original,
    header,
    planSizes(
      header.display,
      RENDITIONS.map((rendition) => ({ rendition, key: rendition.name })),
    ),
    { ...DEFAULTS, timeoutSeconds: 30 },
  );
  // The original as stored: its pixels without the EXIF turn, small enough for a README.
  const stored = await sharp(original, { autoOrient: false }).resize({ width: 150 }).jpeg({ quality: 80 }).toBuffer();
  const storedMeta = await sharp(stored).metadata();
  const gap = 28;
  const top = 44;
  let x = 16;
  const items: string[] = [];
  const place = (bytes: Uint8Array, type: string, width: number, height: number, caption: string[]) => {
    items.push(
      `<image x="${x}" y="${top}" width="${width}" height="${height}" href="${dataUrl(bytes, type)}"/>`,
      ...caption.map((line, i) => `<text x="${x}" y="${top + height + 18 + i * 16}">${escapeXml(line)}</text>`),
    );
    x += width + gap;
  };
  place(stored, 'image/jpeg', storedMeta.width, storedMeta.height, [
    'uploaded: 900×1200 as stored,',
    'EXIF orientation 6',
    `${(original.length / 1024).toFixed(0)} KB JPEG`,
  ]);
  for (const output of outputs) {
    // Shown as PNG where the format is not JPEG: not every SVG renderer decodes WebP or AVIF (the caption gives the real bytes).
    const shown = output.rendition.format === 'jpeg' ? output.body : await sharp(output.body).png().toBuffer();
    place(shown, output.rendition.format === 'jpeg' ? 'image/jpeg' : 'image/png', output.width, output.height, [
      `${output.rendition.name}: ${output.width}×${output.height}`,
      `${output.rendition.format.toUpperCase()}, ${(output.body.byteLength / 1024).toFixed(1)} KB`,
      output.key === 'thumbnail' ? '(the default)' : '(configured)',
    ]);
  }
  const height = top + Math.max(storedMeta.height, ...outputs.map((output) => output.height)) + 70;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${x - gap + 16}" height="${height}" font-family="sans-serif" font-size="13" fill="#555">`,
    '<title>A photo stored sideways, and the upright thumbnail, avatar and preview the pipeline made of it</title>',
    '<text x="16" y="24" font-size="15" font-weight="bold" fill="#222">One upload, and what the pipeline made of it (upright, sRGB, metadata stripped)</text>',
    ...items,
    '</svg>',
    '',
  ].join('\n');
}

async function main() {
  writeFileSync(FIGURE, await makeFigure());
  console.log(`wrote ${relative(ROOT, FIGURE)}`);
}

if (isMain(import.meta.url)) runMain('figure', main);
