import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../../handlers/thumbnail/errors';
import { CODING, JpegStructureReader, readJpegStructure } from '../../../handlers/thumbnail/jpeg-structure';
import { HOSTILE_CASES } from '../../../scripts/lib/hostile';
import { markerSegment, progressiveScript, writeJpeg } from '../../../scripts/lib/jpeg-writer';
import { gpsTaggedJpeg, photoJpeg, truncatedJpeg } from '../../../scripts/lib/samples';

const dc = () => 0;

describe('readJpegStructure', () => {
  it('reads a baseline 4:2:0 JPEG: one interleaved scan, sampling factors, size', async () => {
    const structure = readJpegStructure(await photoJpeg(640, 480));
    expect(structure.frame).toMatchObject({ coding: CODING.baseline, precision: 8, width: 640, height: 480 });
    expect(structure.frame.components.map(({ h, v }) => [h, v])).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    expect(structure.scans).toHaveLength(1);
    expect(structure.scans[0]).toMatchObject({ components: [0, 1, 2], ss: 0, se: 63, ah: 0, al: 0 });
  });

  it("counts the scans of libjpeg's progression: 10 for colour, 6 for greyscale", async () => {
    expect(readJpegStructure(await photoJpeg(320, 240, { progressive: true })).scans).toHaveLength(10);
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } })
      .toColourspace('b-w')
      .jpeg({ progressive: true })
      .toBuffer();
    expect(readJpegStructure(grey).scans).toHaveLength(6);
  });

  it("measures each scan's entropy-coded bytes, restart markers included", () => {
    const jpeg = writeJpeg({ width: 64, height: 64, components: [{ h: 1, v: 1 }], coding: 'baseline', dc, restartInterval: 1 });
    const [scan] = readJpegStructure(jpeg).scans;
    expect(scan?.restartInterval).toBe(1);
    // 64 blocks, each a few bits plus a two-byte RSTn marker after all but the last.
    expect(scan?.entropyBytes).toBeGreaterThanOrEqual(63 * 2);
  });

  it('reads every scan of a written progressive script', () => {
    const jpeg = writeJpeg({
      width: 256,
      height: 256,
      components: [{ h: 1, v: 1 }],
      coding: 'progressive',
      scans: progressiveScript(1, 100),
      dc,
    });
    const { scans } = readJpegStructure(jpeg);
    expect(scans).toHaveLength(100);
    expect(scans.filter((scan) => scan.ah > 0).length).toBeGreaterThan(0);
  });

  it('counts metadata segments and bytes (EXIF here)', async () => {
    const { metadata, segments } = readJpegStructure(await gpsTaggedJpeg(64, 48));
    expect(metadata.segments).toBeGreaterThanOrEqual(1);
    expect(metadata.bytes).toBeGreaterThan(100);
    expect(segments).toBeGreaterThan(metadata.segments);
  });

  it('stops at the first end-of-image marker: what follows (a gain map, say) is not part of the image', async () => {
    const jpeg = await photoJpeg(64, 48);
    const appended = Buffer.concat([jpeg, await photoJpeg(2000, 1000)]);
    expect(readJpegStructure(appended)).toEqual(readJpegStructure(jpeg));
  });

  it('accepts fill bytes before a marker', () => {
    const jpeg = writeJpeg({ width: 16, height: 16, components: [{ h: 1, v: 1 }], coding: 'baseline', dc });
    const filled = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff]), jpeg.subarray(2)]);
    expect(readJpegStructure(filled).frame.width).toBe(16);
  });

  const frameOf = (jpeg: Buffer) => jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  it.each([
    ['no start-of-image marker', async () => Buffer.from('not a jpeg')],
    ['a file that ends inside a segment', async () => (await photoJpeg(64, 48)).subarray(0, 30)],
    [
      'a second frame',
      async () => {
        const jpeg = await photoJpeg(64, 48);
        const at = frameOf(jpeg);
        const frame = jpeg.subarray(at, at + 2 + jpeg.readUInt16BE(at + 2));
        return Buffer.concat([jpeg.subarray(0, at), frame, jpeg.subarray(at)]);
      },
    ],
    [
      'a scan before the frame',
      async () => {
        const jpeg = await photoJpeg(64, 48);
        const sos = markerSegment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
        return Buffer.concat([jpeg.subarray(0, 2), sos, jpeg.subarray(2)]);
      },
    ],
    [
      'no scan',
      async () => {
        const jpeg = await photoJpeg(64, 48);
        return Buffer.concat([jpeg.subarray(0, jpeg.indexOf(Buffer.from([0xff, 0xda]))), Buffer.from([0xff, 0xd9])]);
      },
    ],
    [
      'a scan naming a component the frame lacks',
      async () => {
        const jpeg = Buffer.from(await photoJpeg(64, 48));
        jpeg[jpeg.indexOf(Buffer.from([0xff, 0xda])) + 5] = 9;
        return jpeg;
      },
    ],
    [
      'a sampling factor of 0',
      async () => {
        const jpeg = Buffer.from(await photoJpeg(64, 48));
        jpeg[frameOf(jpeg) + 11] = 0x00;
        return jpeg;
      },
    ],
  ])('refuses %s as CorruptImageError', async (_, make) => {
    const bytes = await make();
    expect(() => readJpegStructure(bytes)).toThrow(CorruptImageError);
  });
});

/** What reading `bytes` arriving in pieces ending at `cuts` says: the structure, or the error's class and message. */
function readInPieces(bytes: Buffer, cuts: readonly number[]) {
  const reader = new JpegStructureReader();
  // The buffer a download fills: its length is the whole object, only `available` bytes are real.
  const buffer = Buffer.alloc(bytes.length, 0xff);
  try {
    let available = 0;
    for (const cut of [...[...cuts].sort((a, b) => a - b), bytes.length]) {
      bytes.copy(buffer, available, available, cut);
      available = Math.max(available, cut);
      reader.advance(buffer, available);
    }
    return reader.finish();
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

function readWhole(bytes: Buffer) {
  try {
    return readJpegStructure(bytes);
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe('JpegStructureReader, as the bytes arrive', () => {
  it('reads any JPEG in any pieces exactly as readJpegStructure reads it whole (hostile ones and cut-off ones too)', async () => {
    const inputs = [
      await photoJpeg(320, 240),
      await photoJpeg(320, 240, { progressive: true }),
      await gpsTaggedJpeg(200, 150),
      await truncatedJpeg(320, 240),
      ...(await Promise.all(
        HOSTILE_CASES.filter(
          (hostile) =>
            hostile.name.includes('header') ||
            hostile.name.includes('SOF') ||
            hostile.name.includes('frame') ||
            hostile.name.includes('12-bit') ||
            hostile.name.includes('Huffman tables redefined'),
        ).map((hostile) => hostile.make()),
      )),
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from([0x00, 0x01]),
    ];
    for (const bytes of inputs) {
      const whole = readWhole(bytes);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }), (cuts) => {
          expect(readInPieces(bytes, cuts)).toEqual(whole);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('knows the frame before the first scan arrives, and counts a scan while its data is still coming', async () => {
    const jpeg = await photoJpeg(640, 480, { progressive: true });
    const reader = new JpegStructureReader();
    const firstScan = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    reader.advance(jpeg, firstScan);
    expect(reader.partial()).toMatchObject({ frame: { width: 640, height: 480 }, scans: [] });
    reader.advance(jpeg, firstScan + 200);
    expect(reader.partial().scans).toHaveLength(1);
    expect(reader.partial().scans[0]?.entropyBytes).toBeGreaterThan(150);
  });

  it('stops at the end-of-image marker: what follows (a gain map, a second picture) is not read', async () => {
    const jpeg = await photoJpeg(64, 48);
    const reader = new JpegStructureReader();
    reader.advance(Buffer.concat([jpeg, Buffer.from('not a marker')]));
    expect(reader.partial().ended).toBe(true);
    expect(reader.finish().scans).toHaveLength(1);
  });
});
