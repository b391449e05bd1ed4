/** Reading back generated thumbnails: colours at points, and metadata. Never byte comparisons. */

import sharp from 'sharp';
import type { Rgb } from '../../scripts/lib/samples';

export interface Decoded {
  readonly width: number;
  readonly height: number;
  readonly at: (fx: number, fy: number) => Rgb;
}

/** Decode a JPEG to sRGB pixels, exactly as stored (no EXIF rotation applied). */
export async function decode(jpeg: Uint8Array): Promise<Decoded> {
  const { data, info } = await sharp(jpeg).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at(fx, fy) {
      const x = Math.min(info.width - 1, Math.floor(fx * info.width));
      const y = Math.min(info.height - 1, Math.floor(fy * info.height));
      const i = (y * info.width + x) * info.channels;
      return { r: data[i] as number, g: data[i + 1] as number, b: data[i + 2] as number };
    },
  };
}

export const colourDistance = (a: Rgb, b: Rgb): number => Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
