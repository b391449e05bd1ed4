/**
 * The hostile-input table of `make bench`: every class scripts/lib/hostile.ts generates, plus the
 * worst inputs the pipeline accepts, each through the packaged function in a fresh execution
 * environment (so its peak is its own): outcome, time to refuse or finish, peak memory, and the
 * decode estimate the refusal was based on.
 */

import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULTS } from '../../handlers/thumbnail/constants';
import { estimateDecode } from '../../handlers/thumbnail/decode-cost';
import { readJpegStructure } from '../../handlers/thumbnail/jpeg-structure';
import { HOSTILE_CASES, type HostileExpectation, worstCases } from '../lib/hostile';
import { LocalPipeline } from '../local/pipeline';
import { SequencerClock } from '../local/s3-events';
import { uploadEvent } from '../local/upload-event';

export interface HostileRow {
  readonly name: string;
  readonly kind: 'hostile' | 'worst accepted';
  readonly megabytes: number;
  readonly expected: string;
  readonly outcome: string;
  readonly asExpected: boolean;
  readonly ms: number;
  readonly peakMB: number | undefined;
  /** The decode estimate, when the markers could be read. */
  readonly estimateMs: number | undefined;
}

const describeExpectation = (expect: HostileExpectation) =>
  'thumbnail' in expect ? 'thumbnail' : `${expect.refused}${expect.limit ? ` (${expect.limit})` : ''}`;

function estimateOf(bytes: Buffer): number | undefined {
  try {
    return estimateDecode(readJpegStructure(bytes)).decodeMs;
  } catch {
    return undefined;
  }
}

/** Side of the largest square grain JPEG of sharp's progression (10 scans, 6 for grey) that the decode budget accepts. */
export async function progressiveSideAtBudget(grey: boolean, budgetMs = DEFAULTS.maxDecodeMs): Promise<number> {
  const side = 1000;
  let image = sharp({ create: { width: side, height: side, channels: 3, background: '#808080' } });
  if (grey) image = image.toColourspace('b-w');
  const sample = await image.jpeg({ quality: 90, progressive: true }).toBuffer();
  const msPerPixel = estimateDecode(readJpegStructure(sample)).decodeMs / (side * side);
  // A little under the budget, so block rounding cannot push it over.
  return Math.floor(Math.sqrt((0.97 * budgetMs) / msPerPixel) / 16) * 16;
}

export async function hostileBenchmark(dir: string, options: { worst: boolean }): Promise<{ rows: HostileRow[]; memoryMB: number }> {
  const pipeline = await LocalPipeline.startEnvironment('dev', {
    dataDir: join(dir, 'hostile'),
    reset: true,
    concurrency: 1,
    duplicateRate: 0,
    notifications: false,
  });
  const client = pipeline.s3Client();
  const originals = pipeline.buckets.triggering[0] as string;
  const clock = new SequencerClock();
  const memoryMB = pipeline.functionModel('thumbnail').memoryMB;
  const rows: HostileRow[] = [];
  const sides = options.worst ? { colour: await progressiveSideAtBudget(false), grey: await progressiveSideAtBudget(true) } : undefined;
  const cases = [
    ...HOSTILE_CASES.map((hostile) => ({ ...hostile, kind: 'hostile' as const })),
    ...(sides ? worstCases(sides).map((worst) => ({ ...worst, kind: 'worst accepted' as const })) : []),
  ];
  try {
    for (const [index, testCase] of cases.entries()) {
      console.error(`  ${testCase.name}`);
      const bytes = await testCase.make();
      const event = await uploadEvent(
        client,
        clock,
        { bucket: originals, key: `hostile/${index}.jpg`, region: pipeline.model.region, requestId: 'BENCH' },
        bytes,
      );
      // A fresh execution environment for each case: Lambda's "Max Memory Used" is the environment's peak.
      await pipeline.runner('thumbnail').close();
      const report = await pipeline.invoke('thumbnail', event);
      const summary = report.result as { written?: number; failed?: number } | undefined;
      const failure = report.logs
        .map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : undefined))
        .find((line) => line?.['message'] === 'thumbnail failed');
      const written = report.logs.some((line) => line.includes('"thumbnail written"'));
      const limit = /over the (\w+) limit/.exec(String(failure?.['reason'] ?? ''))?.[1];
      const outcome = !report.ok
        ? `invocation failed: ${report.error?.errorType}`
        : written
          ? 'thumbnail'
          : failure
            ? `${String(failure['errorType'])}${limit ? ` (${limit})` : ''}`
            : JSON.stringify(summary);
      rows.push({
        name: testCase.name,
        kind: testCase.kind,
        megabytes: bytes.length / 1024 / 1024,
        expected: describeExpectation(testCase.expect),
        outcome,
        asExpected: outcome === describeExpectation(testCase.expect),
        ms: report.durationMs,
        peakMB: report.maxMemoryMB,
        estimateMs: estimateOf(bytes),
      });
    }
  } finally {
    client.destroy();
    await pipeline.close();
  }
  return { rows, memoryMB };
}
