/**
 * The hostile-input tables of `make bench`: every class scripts/lib/hostile.ts generates for JPEG
 * (through the default stack) and scripts/lib/hostile-formats.ts for the other formats (through a
 * stack with every input format enabled), plus the worst inputs the pipeline accepts, each through
 * the packaged function in a fresh execution environment (so its peak is its own): outcome, time
 * to refuse or finish, peak memory, and the decode estimate the refusal was based on.
 */

import { join } from 'node:path';
import { App } from 'cdktf';
import sharp from 'sharp';
import { DEFAULTS, INPUT_FORMAT_NAMES, LIMITS } from '../../handlers/thumbnail/constants';
import { estimateDecode } from '../../handlers/thumbnail/decode-cost';
import { readImageHeader } from '../../handlers/thumbnail/image';
import { readJpegStructure } from '../../handlers/thumbnail/jpeg-structure';
import { readBuiltArtifacts } from '../../infra/artifacts';
import { resolveEnvironments } from '../../infra/environments';
import { stackName } from '../../infra/names';
import { ThumbnailStack } from '../../infra/stacks/thumbnail-stack';
import { HOSTILE_CASES, type HostileCase, type HostileExpectation, type WorstCase, worstCases } from '../lib/hostile';
import { ALL_FORMATS, FORMAT_HOSTILE_CASES, FORMAT_WORST_INPUTS, type FormatWorstInput } from '../lib/hostile-formats';
import { LocalPipeline } from '../local/pipeline';
import { SequencerClock } from '../local/s3-events';
import { uploadEvent } from '../local/upload-event';

export interface HostileRow {
  /** JPEG through the default stack, or the other formats through a stack with all of them enabled. */
  readonly table: 'jpeg' | 'formats';
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

/** Limits that refuse nothing but the pixel ceiling, to read any input's estimate. */
const OPEN_LIMITS = {
  maxInputPixels: LIMITS.maxInputPixels,
  maxDecodeMs: Number.POSITIVE_INFINITY,
  maxDecodeBytes: Number.POSITIVE_INFINITY,
};

/** The decode estimate of any enabled format, when its structure can be read. */
async function estimateOf(bytes: Buffer): Promise<number | undefined> {
  try {
    return (await readImageHeader(bytes, OPEN_LIMITS, INPUT_FORMAT_NAMES)).decode.decodeMs;
  } catch {
    return undefined;
  }
}

/**
 * Side of the largest square `input` that the default limits accept: its estimated decode time
 * (97 % of the budget, so rounding cannot push it over), its bytes (the input size limit) and its
 * pixels, scaled from a 1000 px sample (noise costs the same per pixel at any size).
 */
export async function formatSideAtLimits(input: FormatWorstInput): Promise<number> {
  const probe = 1000;
  const sample = await input.make(probe);
  const msPerPixel = ((await estimateOf(sample)) ?? Number.NaN) / probe ** 2;
  const bytesPerPixel = sample.length / probe ** 2;
  const pixels = Math.min(
    (0.97 * DEFAULTS.maxDecodeMs) / msPerPixel,
    (0.97 * DEFAULTS.maxInputBytes) / bytesPerPixel,
    DEFAULTS.maxInputPixels,
  );
  return Math.floor(Math.sqrt(pixels) / 16) * 16;
}

async function formatWorstCases(): Promise<WorstCase[]> {
  const cases: WorstCase[] = [];
  for (const input of FORMAT_WORST_INPUTS) {
    const side = await formatSideAtLimits(input);
    cases.push({ name: `${input.name} at the limits (${side}x${side})`, make: () => input.make(side), expect: { thumbnail: true } });
  }
  return cases;
}

/** The dev stack with every input format enabled, synthesized into `outdir` with the built artifacts. */
function synthAllFormatsStack(outdir: string): string {
  const config = resolveEnvironments({ dev: { thumbnail: ALL_FORMATS } }).get('dev');
  if (!config) throw new Error('no dev environment');
  const app = new App({ outdir });
  new ThumbnailStack(app, stackName('dev'), { config, artifacts: readBuiltArtifacts() });
  app.synth();
  return join(outdir, 'stacks', stackName('dev'));
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

type BenchCase = (HostileCase | WorstCase) & { readonly kind: HostileRow['kind'] };

/** Each case uploaded and run in a fresh execution environment of the pipeline's thumbnail function. */
async function runCases(
  pipeline: LocalPipeline,
  table: HostileRow['table'],
  cases: readonly BenchCase[],
  suffix: string,
): Promise<HostileRow[]> {
  const client = pipeline.s3Client();
  const originals = pipeline.buckets.triggering[0] as string;
  const clock = new SequencerClock();
  const rows: HostileRow[] = [];
  try {
    for (const [index, testCase] of cases.entries()) {
      console.error(`  ${testCase.name}`);
      const bytes = await testCase.make();
      const event = await uploadEvent(
        client,
        clock,
        { bucket: originals, key: `hostile/${index}${suffix}`, region: pipeline.model.region, requestId: 'BENCH' },
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
        table,
        name: testCase.name,
        kind: testCase.kind,
        megabytes: bytes.length / 1024 / 1024,
        expected: describeExpectation(testCase.expect),
        outcome,
        asExpected: outcome === describeExpectation(testCase.expect),
        ms: report.durationMs,
        peakMB: report.maxMemoryMB,
        estimateMs: await estimateOf(bytes),
      });
    }
  } finally {
    client.destroy();
  }
  return rows;
}

const pipelineOptions = (dataDir: string) => ({ dataDir, reset: true, concurrency: 1, duplicateRate: 0, notifications: false });

export async function hostileBenchmark(dir: string, options: { worst: boolean }): Promise<{ rows: HostileRow[]; memoryMB: number }> {
  const rows: HostileRow[] = [];
  const jpeg = await LocalPipeline.startEnvironment('dev', pipelineOptions(join(dir, 'hostile')));
  const memoryMB = jpeg.functionModel('thumbnail').memoryMB;
  try {
    const sides = options.worst ? { colour: await progressiveSideAtBudget(false), grey: await progressiveSideAtBudget(true) } : undefined;
    const cases = [
      ...HOSTILE_CASES.map((hostile) => ({ ...hostile, kind: 'hostile' as const })),
      ...(sides ? worstCases(sides).map((worst) => ({ ...worst, kind: 'worst accepted' as const })) : []),
    ];
    rows.push(...(await runCases(jpeg, 'jpeg', cases, '.jpg')));
  } finally {
    await jpeg.close();
  }
  console.error('  (every input format enabled)');
  const formats = await LocalPipeline.start({
    stackDir: synthAllFormatsStack(join(dir, 'all-formats-stack')),
    ...pipelineOptions(join(dir, 'hostile-formats')),
  });
  try {
    const cases = [
      ...FORMAT_HOSTILE_CASES.map((hostile) => ({ ...hostile, kind: 'hostile' as const })),
      ...(options.worst ? (await formatWorstCases()).map((worst) => ({ ...worst, kind: 'worst accepted' as const })) : []),
    ];
    rows.push(...(await runCases(formats, 'formats', cases, '.png')));
  } finally {
    await formats.close();
  }
  return { rows, memoryMB };
}
