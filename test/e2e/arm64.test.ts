/**
 * The arm64 package, proven on this machine: the packaged function and the arm64 sharp layer run
 * on Node.js for linux-arm64 (under qemu-aarch64 here, natively on an arm64 host), through the
 * same local pipeline as x86_64, and the same uploads make the same thumbnails on both.
 * Skipped, visibly, where the arm64 layer or Node.js is not built or emulation is not installed.
 */

import { existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp, { type Metadata } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Architecture, layerZipPath } from '../../lib/architectures';
import { SAMPLES } from '../../scripts/lib/samples';
import { arm64RunsHere } from '../../scripts/local/lambda-node';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';
import { sharedFixtures } from '../support/shared-fixtures';

const runs = arm64RunsHere();
const layerBuilt = existsSync(layerZipPath('arm64'));
const why = !layerBuilt ? `no arm64 layer (make layer ARCH=arm64)` : runs.why;
if (why) console.warn(`[skip] arm64 end-to-end: ${why}`);

/** A few real photographs when ../shared/fixtures is here (emulation is slow: a handful, not all). */
const photos = sharedFixtures('images');
const REAL_PHOTOS = photos.present
  ? readdirSync(photos.dir)
      .filter((name) => /^(Landscape|Portrait)_[1-8]\.jpg$|CMYK_color\.jpg$/.test(name))
      .sort()
      .filter((_, i) => i % 3 === 0)
  : [];

interface Upload {
  readonly key: string;
  readonly bytes: () => Promise<Buffer>;
}

const UPLOADS: readonly Upload[] = [
  ...SAMPLES.filter((sample) => sample.thumbnail).map((sample) => ({ key: sample.key, bytes: sample.bytes })),
  ...REAL_PHOTOS.map((name) => ({ key: `real/${name}`, bytes: async () => readFileSync(join(photos.dir, name)) })),
];

/** The ELF machine of a binary: 62 is x86-64, 183 is AArch64. */
function elfMachine(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  readSync(fd, header, 0, 20, 0);
  return header.readUInt16LE(18);
}

interface Made {
  readonly bytes: Buffer;
  readonly metadata: Metadata;
  readonly pixels: Buffer;
}

const made: Record<Architecture, Map<string, Made>> = { x86_64: new Map(), arm64: new Map() };
const sessions: LocalStackSession[] = [];
const elf: Partial<Record<Architecture, number>> = {};

async function thumbnailsOn(architecture: Architecture, inputs: Map<string, Buffer>): Promise<void> {
  const session = await openLocalStack({ architecture });
  sessions.push(session);
  elf[architecture] = elfMachine(session.pipeline.runner('thumbnail').node.path);
  for (const [key, body] of inputs) await session.client.send(new PutObjectCommand({ Bucket: session.originals, Key: key, Body: body }));
  await session.pipeline.idle();
  for (const key of inputs.keys()) {
    const thumbnailKey = thumbnailKeyOf(key);
    const object = await session.client
      .send(new GetObjectCommand({ Bucket: session.thumbnails, Key: thumbnailKey }))
      .catch(() => undefined);
    if (!object) continue;
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    const pixels = await sharp(bytes).toColourspace('srgb').raw().toBuffer();
    made[architecture].set(key, { bytes, metadata: await sharp(bytes).metadata(), pixels });
  }
}

beforeAll(async () => {
  if (why) return;
  const inputs = new Map<string, Buffer>();
  for (const upload of UPLOADS) inputs.set(upload.key, await upload.bytes());
  // One after the other: two cores, and the emulated run wants both.
  await thumbnailsOn('x86_64', inputs);
  await thumbnailsOn('arm64', inputs);
}, 600_000);

afterAll(async () => {
  await Promise.all(sessions.map((session) => session.close()));
});

/** Mean absolute difference per channel value, 0-255. */
function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

describe.skipIf(why !== undefined)('the packaged function on arm64 (emulated here) makes the thumbnails x86_64 makes', () => {
  it('runs the function on an arm64 Node.js, with the arm64 layer', () => {
    expect(elf).toEqual({ x86_64: 62, arm64: 183 });
  });

  it('makes a thumbnail for every upload on both', () => {
    expect([...made.arm64.keys()].sort()).toEqual(UPLOADS.map((upload) => upload.key).sort());
    expect([...made.x86_64.keys()].sort()).toEqual(UPLOADS.map((upload) => upload.key).sort());
  });

  it.each(UPLOADS.map((upload) => [upload.key]))('%s: same size, orientation, colour space and stripped metadata', (key) => {
    const x86 = made.x86_64.get(key) as Made;
    const arm = made.arm64.get(key) as Made;
    const shape = (m: Metadata) => ({
      format: m.format,
      width: m.width,
      height: m.height,
      space: m.space,
      channels: m.channels,
      orientation: m.orientation,
      exif: m.exif !== undefined,
      icc: m.icc !== undefined,
      xmp: m.xmp !== undefined,
      iptc: m.iptc !== undefined,
    });
    expect(shape(arm.metadata)).toEqual(shape(x86.metadata));
    expect(shape(arm.metadata)).toMatchObject({ format: 'jpeg', space: 'srgb', orientation: undefined, exif: false, xmp: false });
    // The same picture: SIMD paths differ between architectures, so the pixels may differ by a
    // rounding, never by content.
    expect(meanDifference(arm.pixels, x86.pixels)).toBeLessThan(1.5);
  });
});
