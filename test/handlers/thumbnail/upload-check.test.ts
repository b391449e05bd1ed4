import { describe, expect, it } from 'vitest';
import { DEFAULTS, INPUT_FORMAT_NAMES } from '../../../handlers/thumbnail/constants';
import { decodeLimitsFor } from '../../../handlers/thumbnail/decode-cost';
import { checkStructure, inputFormatOf, UploadCheck } from '../../../handlers/thumbnail/upload-check';
import { HOSTILE_CASES } from '../../../scripts/lib/hostile';
import { FORMAT_HOSTILE_CASES } from '../../../scripts/lib/hostile-formats';
import { NOT_JPEG, photoJpeg, progressiveJpeg } from '../../../scripts/lib/samples';

const limitsFor = (bytes: number) => decodeLimitsFor({ ...DEFAULTS, functionMemoryMB: DEFAULTS.functionMemoryMB }, bytes);

/** The whole-file decision: the error's name, or 'accepted'. */
function whole(bytes: Buffer): string {
  try {
    checkStructure(inputFormatOf(bytes, INPUT_FORMAT_NAMES), bytes, limitsFor(bytes.length));
    return 'accepted';
  } catch (error) {
    return (error as Error).name;
  }
}

/** Fed in 64 KB pieces as a download fills its buffer: the error's name and how many bytes had arrived, or 'passed'. */
function streamed(bytes: Buffer): { outcome: string; at: number } {
  const check = new UploadCheck(INPUT_FORMAT_NAMES, limitsFor(bytes.length), bytes.length);
  const buffer = Buffer.alloc(bytes.length);
  for (let at = 0; at < bytes.length; ) {
    const next = Math.min(bytes.length, at + 64 * 1024);
    bytes.copy(buffer, at, at, next);
    at = next;
    try {
      check.inspect(buffer, at);
    } catch (error) {
      return { outcome: (error as Error).name, at };
    }
  }
  return { outcome: 'passed', at: bytes.length };
}

// The cheap ones to make: hostile files of a few MB at most.
const CASES = [...HOSTILE_CASES.filter((hostile) => !/100 MP|98 MP|12 MP/.test(hostile.name)), ...FORMAT_HOSTILE_CASES];

describe('UploadCheck, while the bytes arrive', () => {
  it.each(CASES.map((hostile) => [hostile.name, hostile] as const))(
    'refuses only what the whole-file check refuses, with the same error: %s',
    async (_, hostile) => {
      const bytes = await hostile.make();
      const { outcome } = streamed(bytes);
      if (outcome !== 'passed') expect(outcome).toBe(whole(bytes));
    },
  );

  it('refuses a JPEG as soon as the bytes that cross a limit arrive, not at the end', async () => {
    const scans = HOSTILE_CASES.find((hostile) => hostile.name.startsWith('progressive, 883 scans')) as (typeof HOSTILE_CASES)[number];
    const metadata = HOSTILE_CASES.find((hostile) => hostile.name.startsWith('700 full ICC chunks')) as (typeof HOSTILE_CASES)[number];
    // The 33rd of 883 scans comes after the big first one; 16 MB of metadata is a third of 46.
    for (const [hostile, share] of [
      [scans, 0.95],
      [metadata, 0.5],
    ] as const) {
      const bytes = await hostile.make();
      const { outcome, at } = streamed(bytes);
      expect(outcome).toBe('DecodeLimitError');
      expect(at).toBeLessThan(bytes.length * share);
    }
  });

  it('refuses what is not an enabled format from its first kilobyte', async () => {
    const png = await NOT_JPEG.png();
    const check = new UploadCheck(['jpeg'], limitsFor(png.length), png.length);
    expect(() => check.inspect(png, Math.min(png.length, 1024))).toThrow(/not a JPEG: the bytes look like PNG/);
  });

  it('passes ordinary photos, baseline and progressive, whatever the pieces', async () => {
    for (const bytes of [await photoJpeg(1600, 1200), await progressiveJpeg(1600, 1200)]) {
      expect(streamed(bytes).outcome).toBe('passed');
      expect(whole(bytes)).toBe('accepted');
    }
  });
});
