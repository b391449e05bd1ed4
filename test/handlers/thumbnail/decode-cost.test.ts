import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../handlers/thumbnail/constants';
import { COST_NS, checkDecodable, decodeLimitsFor, estimateDecode } from '../../../handlers/thumbnail/decode-cost';
import { DecodeLimitError, PixelLimitError, UnsupportedJpegError } from '../../../handlers/thumbnail/errors';
import { readJpegStructure } from '../../../handlers/thumbnail/jpeg-structure';
import { type JpegSpec, markerSegment, progressiveScript, writeJpeg } from '../../../scripts/lib/jpeg-writer';
import { thrownBy } from '../../support/errors';

const dc = () => 0;
const YCC_420 = [
  { h: 2, v: 2 },
  { h: 1, v: 1 },
  { h: 1, v: 1 },
];
const GREY = [{ h: 1, v: 1 }];
const structureOf = (spec: Omit<JpegSpec, 'dc'>) => readJpegStructure(writeJpeg({ ...spec, dc }));
const UNLIMITED = {
  maxInputPixels: LIMITS.maxInputPixels,
  maxDecodeMs: Number.POSITIVE_INFINITY,
  maxDecodeBytes: Number.POSITIVE_INFINITY,
};

describe('estimateDecode', () => {
  it('counts blocks as libjpeg allocates them (whole MCUs) and one visit per block for a baseline JPEG', () => {
    // 100x50 at 4:2:0: MCUs of 16x16, 7x4 of them; 4 luma + 2 chroma blocks each.
    const estimate = estimateDecode(structureOf({ width: 100, height: 50, components: YCC_420, coding: 'baseline' }));
    expect(estimate).toMatchObject({ pixels: 5000, blocks: 7 * 4 * 6, blockVisits: 7 * 4 * 6, wholeImageBytes: 0 });
    expect(estimate.decodeMs).toBeCloseTo((168 * COST_NS.sequentialBlockVisit) / 1e6, 9);
  });

  it("counts a progressive JPEG's coefficient buffer and every scan's pass: non-interleaved scans visit only their component's blocks", () => {
    // 4000x4000 greyscale: 500x500 blocks; an interleaved DC scan is single-component here.
    const scans = 20;
    const estimate = estimateDecode(
      structureOf({ width: 4000, height: 4000, components: GREY, coding: 'progressive', scans: progressiveScript(1, scans) }),
    );
    expect(estimate.blocks).toBe(250_000);
    expect(estimate.blockVisits).toBe(scans * 250_000);
    expect(estimate.wholeImageBytes).toBe(250_000 * 128);
  });

  it('grows with the scan count at the same size: the end-of-band loophole costs visits, not bytes', () => {
    const at = (scans: number) =>
      estimateDecode(
        structureOf({ width: 2000, height: 2000, components: YCC_420, coding: 'progressive', scans: progressiveScript(3, scans) }),
      );
    expect(at(32).blockVisits).toBeGreaterThan(3 * at(8).blockVisits);
    expect(at(32).decodeMs - at(8).decodeMs).toBeCloseTo(
      ((at(32).blockVisits - at(8).blockVisits) * COST_NS.progressiveBlockVisit) / 1e6,
      6,
    );
  });

  it('charges refinement scans for every coefficient of their band', () => {
    const narrow = [
      { components: [0], ss: 0, se: 0, ah: 0, al: 0 },
      { components: [0], ss: 1, se: 1, ah: 0, al: 1 },
      { components: [0], ss: 1, se: 1, ah: 1, al: 0 },
    ];
    const wide = [
      { components: [0], ss: 0, se: 0, ah: 0, al: 0 },
      { components: [0], ss: 1, se: 63, ah: 0, al: 1 },
      { components: [0], ss: 1, se: 63, ah: 1, al: 0 },
    ];
    const cost = (scans: typeof narrow) =>
      estimateDecode(structureOf({ width: 800, height: 800, components: GREY, coding: 'progressive', scans })).decodeMs;
    expect(cost(wide) - cost(narrow)).toBeCloseTo((10_000 * 62 * COST_NS.refinementCoefficient) / 1e6, 6);
  });
});

describe('checkDecodable', () => {
  it('accepts an ordinary JPEG and returns its estimate', () => {
    const structure = structureOf({ width: 640, height: 480, components: YCC_420, coding: 'baseline' });
    expect(
      checkDecodable(structure, decodeLimitsFor({ maxInputPixels: 100_000_000, maxDecodeMs: 1500, functionMemoryMB: 1024 }, 1000)),
    ).toEqual(estimateDecode(structure));
  });

  it.each([
    [
      'scans',
      () =>
        structureOf({ width: 64, height: 64, components: GREY, coding: 'progressive', scans: progressiveScript(1, LIMITS.maxScans + 1) }),
      UNLIMITED,
    ],
    [
      'segments',
      () =>
        readJpegStructure(
          writeJpeg({
            width: 8,
            height: 8,
            components: GREY,
            coding: 'baseline',
            dc,
            leadingSegments: Array.from({ length: LIMITS.maxSegments }, () => markerSegment(0xfe, Buffer.alloc(0))),
          }),
        ),
      UNLIMITED,
    ],
    [
      'metadata',
      () =>
        readJpegStructure(
          writeJpeg({
            width: 8,
            height: 8,
            components: GREY,
            coding: 'baseline',
            dc,
            leadingSegments: Array.from({ length: LIMITS.maxMetadataSegments + 1 }, () => markerSegment(0xe1, Buffer.alloc(1))),
          }),
        ),
      UNLIMITED,
    ],
    [
      'work',
      () => structureOf({ width: 4000, height: 4000, components: YCC_420, coding: 'progressive', scans: progressiveScript(3, 32) }),
      { ...UNLIMITED, maxDecodeMs: 500 },
    ],
    [
      'memory',
      () => structureOf({ width: 4000, height: 4000, components: GREY, coding: 'progressive', scans: progressiveScript(1, 2) }),
      { ...UNLIMITED, maxDecodeBytes: 250_000 * 128 - 1 },
    ],
  ] as const)('refuses a JPEG over the %s limit, naming it', (limit, make, limits) => {
    const error = thrownBy(() => checkDecodable(make(), limits));
    expect(error).toBeInstanceOf(DecodeLimitError);
    expect(error).toMatchObject({ limit, failureClass: 'permanent' });
    expect((error as Error).message).toContain(`over the ${limit} limit`);
  });

  it('refuses more pixels than allowed with PixelLimitError', () => {
    const structure = structureOf({ width: 2000, height: 2000, components: GREY, coding: 'baseline' });
    expect(() => checkDecodable(structure, { ...UNLIMITED, maxInputPixels: 3_999_999 })).toThrow(PixelLimitError);
  });

  it.each([
    ['12-bit samples', (s: ReturnType<typeof structureOf>) => ({ ...s, frame: { ...s.frame, precision: 12 } })],
    ['arithmetic coding', (s: ReturnType<typeof structureOf>) => ({ ...s, frame: { ...s.frame, coding: 'arithmetic-coded' as const } })],
    [
      'two components',
      (s: ReturnType<typeof structureOf>) => ({ ...s, frame: { ...s.frame, components: s.frame.components.slice(0, 2) } }),
    ],
    ['a height left to a DNL marker', (s: ReturnType<typeof structureOf>) => ({ ...s, frame: { ...s.frame, height: 0 } })],
    ['more than 65500 pixels a side', (s: ReturnType<typeof structureOf>) => ({ ...s, frame: { ...s.frame, width: 65_501 } })],
  ])('refuses %s as UnsupportedJpegError', (_, mutate) => {
    const structure = mutate(structureOf({ width: 64, height: 64, components: YCC_420, coding: 'baseline' }));
    expect(() => checkDecodable(structure, UNLIMITED)).toThrow(UnsupportedJpegError);
  });
});

describe('decodeLimitsFor', () => {
  it('gives the decode what is left of 70 % of the function memory after the runtime and the input', () => {
    const limits = decodeLimitsFor({ maxInputPixels: 1, maxDecodeMs: 2, functionMemoryMB: 1024 }, 10 * 1024 * 1024);
    expect(limits.maxDecodeBytes).toBe(Math.floor(1024 * 1024 * 1024 * 0.7) - LIMITS.runtimeReserveBytes - 10 * 1024 * 1024);
    expect(decodeLimitsFor({ maxInputPixels: 1, maxDecodeMs: 2, functionMemoryMB: 128 }, 0).maxDecodeBytes).toBe(0);
  });
});
