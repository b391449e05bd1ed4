/**
 * Renditions in `make bench`: the example site's set (README, "Renditions"), and what each output
 * format costs and weighs at the same size: bytes, time, and SSIM against the unencoded resize,
 * so that "smaller" is read at comparable quality.
 */

import sharp from 'sharp';
import { ssim } from 'ssim.js';
import type { Rendition } from '../../handlers/thumbnail/constants';
import { median } from './stats';

/** The README's example for a typical site: the thumbnail, a square avatar, a large WebP preview. */
export const EXAMPLE_RENDITIONS: readonly Rendition[] = [
  { name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 },
  { name: 'avatar', width: 256, height: 256, fit: 'cover', format: 'webp', quality: 80 },
  { name: 'preview', width: 1200, format: 'webp', quality: 75 },
];

export const describeRendition = (r: Rendition) =>
  `${r.name} ${r.width}${r.height === undefined ? ' wide' : `x${r.height} ${r.fit ?? 'inside'}`} ${r.format} q${r.quality}`;

/** The same preview in each format, at the quality a site would configure for it. */
export const FORMAT_RENDITIONS: readonly Rendition[] = [
  { name: 'jpeg', width: 1200, format: 'jpeg', quality: 80 },
  { name: 'webp', width: 1200, format: 'webp', quality: 75 },
  { name: 'avif', width: 1200, format: 'avif', quality: 50 },
];

export interface FormatRow {
  readonly image: string;
  readonly format: Rendition['format'];
  readonly quality: number;
  readonly bytes: number;
  readonly ms: number;
  /** Against the same resize left unencoded: 1 is identical. */
  readonly ssim: number;
}

async function rgba(image: Buffer | Uint8Array, width: number, height: number) {
  const { data } = await sharp(image)
    .resize({ width, height, fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width, height };
}

/**
 * For each image, each format: median time of rendering it alone through `render` (decode, resize,
 * encode), its size, and its SSIM against the resize without encoding.
 */
export async function formatBenchmark(
  images: readonly { name: string; bytes: Buffer }[],
  render: (bytes: Buffer, renditions: readonly Rendition[]) => Promise<readonly { body: Uint8Array; width: number; height: number }[]>,
  runs = 3,
): Promise<FormatRow[]> {
  const rows: FormatRow[] = [];
  for (const image of images) {
    for (const rendition of FORMAT_RENDITIONS) {
      const times: number[] = [];
      let output: { body: Uint8Array; width: number; height: number } | undefined;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        [output] = await render(image.bytes, [rendition]);
        times.push(performance.now() - started);
      }
      if (!output) continue;
      // The reference: the source rotated as the render does, resized to the output's size, not encoded.
      const reference = await sharp(await sharp(image.bytes).rotate().toBuffer())
        .resize({ width: output.width, height: output.height, fit: 'fill' })
        .png()
        .toBuffer();
      const [a, b] = await Promise.all([rgba(reference, output.width, output.height), rgba(output.body, output.width, output.height)]);
      rows.push({
        image: image.name,
        format: rendition.format,
        quality: rendition.quality,
        bytes: output.body.byteLength,
        ms: median(times),
        ssim: ssim(a, b).mssim,
      });
    }
  }
  return rows;
}
