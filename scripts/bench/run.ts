/**
 * `make bench`: performance, separate from the tests. In one run, on the same images:
 * our render step, sharp used naively, ImageMagick's `convert -resize 100x` spawned per image (as the
 * seed notes' imagemagick module does), and the floor, libjpeg-turbo's `djpeg -scale 1/8`. Then
 * renditions from one decode against separate runs, what each output format costs and weighs,
 * the packaged function's cold start and memory peak, end-to-end throughput through the local
 * runner, and what it all costs on Lambda. Figures go to stdout and to
 * .bench/results.json and .bench/results.md.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Command, Option } from 'commander';
import sharp from 'sharp';
import { DEFAULTS, LIMITS, type Rendition } from '../../handlers/thumbnail/constants';
import { readJpegHeader, renderThumbnails } from '../../handlers/thumbnail/image';
import { planSizes } from '../../handlers/thumbnail/plan';
import { layerZipPath } from '../../lib/architectures';
import { functionZipPath, ROOT, sharedFixturesDir } from '../../lib/paths';
import { BUDGETS, formatBytes } from '../lib/budgets';
import { isMain, runMain } from '../lib/cli';
import {
  BATCH_PRICES,
  backfillCost,
  chooseMemory,
  costPerMillion,
  estimatedDurationMs,
  LAMBDA_PRICES,
  type Measured,
  PUBLISHED_ARM64,
  REFERENCE_12MP,
  S3_REQUEST_PRICES,
  spedUp,
} from '../lib/cost';
import { photoJpeg } from '../lib/samples';
import { mapLimit } from '../local';
import { LocalPipeline } from '../local/pipeline';
import { SequencerClock } from '../local/s3-events';
import { makeScratchDir } from '../local/scratch-dirs';
import { uploadEvent } from '../local/upload-event';
import { type BackfillRun, backfillBenchmark } from './backfill';
import { barChart } from './charts';
import { type HostileRow, hostileBenchmark } from './hostile';
import { describeNetwork, type HandlerName, type LatencyResult, latencyBenchmark, type Network, sameNetwork } from './latency';
import { describeRendition, EXAMPLE_RENDITIONS, type FormatRow, formatBenchmark } from './renditions';
import { BenchReport, type Target } from './report';
import { fixed, iterationsFor, median, ratio } from './stats';
import { findBinary, findGnuTime, versionOf } from './tools';

const SHARED_IMAGES = sharedFixturesDir('images');
const OUT = join(ROOT, '.bench');
const RENDER = { maxInputPixels: LIMITS.maxInputPixels };
/** The render benchmarks compare decoders on the same photos: the pixel limit applies, the decode budget does not. */
const DECODE_LIMITS = {
  maxInputPixels: DEFAULTS.maxInputPixels,
  maxDecodeMs: Number.POSITIVE_INFINITY,
  maxDecodeBytes: Number.POSITIVE_INFINITY,
};

interface BenchImage {
  readonly name: string;
  readonly source: 'fixtures' | 'generated';
  readonly path: string;
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
  readonly megapixels: number;
}

let report: BenchReport | undefined;
function say(line = '') {
  if (report) report.say(line);
  else console.log(line);
}

async function describeImage(name: string, source: BenchImage['source'], path: string): Promise<BenchImage> {
  const bytes = readFileSync(path);
  const { width, height } = await sharp(bytes).metadata();
  return { name, source, path, bytes, width, height, megapixels: (width * height) / 1e6 };
}

/** The real photographs (those the pipeline accepts) when ../shared/fixtures is present, else generated ones; plus a generated 24 MP. */
async function benchImages(dir: string): Promise<BenchImage[]> {
  const images: BenchImage[] = [];
  let fixturesPresent = false;
  try {
    fixturesPresent = statSync(SHARED_IMAGES).isDirectory();
  } catch {
    fixturesPresent = false;
  }
  if (fixturesPresent) {
    for (const file of readdirSync(SHARED_IMAGES)
      .filter((name) => name.endsWith('.jpg'))
      .sort()) {
      const path = join(SHARED_IMAGES, file);
      try {
        const bytes = readFileSync(path);
        const header = await readJpegHeader(bytes, DECODE_LIMITS);
        await ours(bytes);
        if (header.width * header.height >= 1_000_000) images.push(await describeImage(file, 'fixtures', path));
      } catch {
        // refused inputs (truncated, corrupt, bombs) are not benchmarks
      }
    }
  }
  const generated: [string, number, number][] = fixturesPresent
    ? [['generated-24mp.jpg', 6000, 4000]]
    : [
        ['generated-2mp.jpg', 1800, 1200],
        ['generated-6mp.jpg', 3000, 2000],
        ['generated-12mp.jpg', 4000, 3000],
        ['generated-24mp.jpg', 6000, 4000],
      ];
  for (const [name, width, height] of generated) {
    const path = join(dir, name);
    writeFileSync(path, await photoJpeg(width, height, { seed: width }));
    images.push(await describeImage(name, 'generated', path));
  }
  say(
    `images: ${fixturesPresent ? `the photographs in ${SHARED_IMAGES} that the pipeline accepts (>= 1 MP), plus a generated 24 MP` : `generated (${SHARED_IMAGES} is absent)`}`,
  );
  return images.sort((a, b) => a.megapixels - b.megapixels);
}

async function ours(bytes: Buffer, renditions: readonly Rendition[] = DEFAULTS.renditions) {
  const header = await readJpegHeader(bytes, DECODE_LIMITS);
  return renderThumbnails(
    bytes,
    header,
    planSizes(
      header.display,
      renditions.map((rendition) => ({ rendition, key: rendition.name })),
    ),
    RENDER,
  );
}

async function timed(work: () => unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function peakRssOfCommand(time: string | undefined, command: string, args: readonly string[], input?: Buffer): number | undefined {
  if (!time) return undefined;
  const result = spawnSync(time, ['-f', '%M', command, ...args], { input, stdio: ['pipe', 'ignore', 'pipe'], encoding: 'buffer' });
  const kb = Number(result.stderr.toString().trim().split('\n').pop());
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

function peakRssOfRender(path: string, renditions: readonly Rendition[] = DEFAULTS.renditions): { baselineMB: number; peakMB: number } {
  const probe = join(ROOT, 'scripts', 'bench', 'rss-probe.ts');
  const result = spawnSync(process.execPath, ['--import', 'tsx', probe, path, JSON.stringify(renditions)], { encoding: 'utf8' });
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
}

interface ImageResult {
  readonly image: string;
  readonly source: string;
  readonly megapixels: number;
  readonly oursMs: number;
  readonly naiveMs: number;
  readonly imagemagickMs?: number;
  readonly floorMs?: number;
  /** The example site's renditions from one decode, and each rendered on its own (summed). */
  readonly setMs: number;
  readonly separateMs: number;
  /** The costliest rendition rendered alone: no set that includes it can cost less (its own decode and encode). */
  readonly costliestAloneMs: number;
  /** Peak RSS of rendering the example set once, in a fresh process. */
  readonly setPeakMB: number;
  readonly oursPeakMB: number;
  readonly imagemagickPeakMB?: number;
}

async function renderBenchmark(images: readonly BenchImage[], tools: { convert?: string; djpeg?: string; time?: string }) {
  const results: ImageResult[] = [];
  for (const image of images) {
    const n = iterationsFor(image.megapixels);
    console.error(`  ${image.name} (${image.megapixels.toFixed(1)} MP)...`);
    const samples = {
      ours: [] as number[],
      naive: [] as number[],
      im: [] as number[],
      floor: [] as number[],
      set: [] as number[],
      separate: [] as number[],
      /** Per rendition, rendered alone: the costliest of them is the floor any set containing it has. */
      alone: EXAMPLE_RENDITIONS.map(() => [] as number[]),
    };
    const imagemagick = () =>
      spawnSync(tools.convert as string, ['-', '-resize', '100x', 'jpg:-'], { input: image.bytes, stdio: ['pipe', 'ignore', 'ignore'] });
    const floor = () => spawnSync(tools.djpeg as string, ['-scale', '1/8', '-outfile', '/dev/null', image.path], { stdio: 'ignore' });
    // One warm-up of each, then the methods interleaved, so drift hits them all alike.
    await ours(image.bytes);
    await sharp(image.bytes).resize(100).toBuffer();
    for (let i = 0; i < n; i++) {
      samples.ours.push(await timed(() => ours(image.bytes)));
      samples.naive.push(await timed(() => sharp(image.bytes).resize(100).toBuffer()));
      if (tools.convert) samples.im.push(await timed(imagemagick));
      if (tools.djpeg) samples.floor.push(await timed(floor));
      samples.set.push(await timed(() => ours(image.bytes, EXAMPLE_RENDITIONS)));
      let separate = 0;
      for (const [j, rendition] of EXAMPLE_RENDITIONS.entries()) {
        const ms = await timed(() => ours(image.bytes, [rendition]));
        samples.alone[j]?.push(ms);
        separate += ms;
      }
      samples.separate.push(separate);
    }
    const rss = peakRssOfRender(image.path);
    const setRss = peakRssOfRender(image.path, EXAMPLE_RENDITIONS);
    const result: ImageResult = {
      image: image.name,
      source: image.source,
      megapixels: image.megapixels,
      oursMs: median(samples.ours),
      naiveMs: median(samples.naive),
      ...(tools.convert ? { imagemagickMs: median(samples.im) } : {}),
      ...(tools.djpeg ? { floorMs: median(samples.floor) } : {}),
      setMs: median(samples.set),
      separateMs: median(samples.separate),
      costliestAloneMs: Math.max(...samples.alone.map(median)),
      setPeakMB: setRss.peakMB,
      oursPeakMB: rss.peakMB,
      ...(tools.convert && tools.time
        ? { imagemagickPeakMB: peakRssOfCommand(tools.time, tools.convert, ['-', '-resize', '100x', 'jpg:-'], image.bytes) }
        : {}),
    };
    results.push(result);
  }
  return results;
}

function printRenderTable(results: readonly ImageResult[]) {
  say('');
  say(
    '| image | MP | ours ms | naive sharp ms | ImageMagick ms | floor ms | ours / floor | ImageMagick / ours | ours peak RSS MB | ImageMagick peak RSS MB |',
  );
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    say(
      `| ${r.image}${r.source === 'generated' ? ' (generated)' : ''} | ${fixed(r.megapixels)} | ${fixed(r.oursMs)} | ${fixed(r.naiveMs)} | ${fixed(r.imagemagickMs)} | ${fixed(r.floorMs)} | ` +
        `${fixed(ratio(r.oursMs, r.floorMs ?? Number.NaN), 2)} | ${fixed(ratio(r.imagemagickMs ?? Number.NaN, r.oursMs), 1)} | ${r.oursPeakMB} | ${fixed(r.imagemagickPeakMB, 0)} |`,
    );
  }
  const sum = (pick: (r: ImageResult) => number | undefined) => results.reduce((total, r) => total + (pick(r) ?? Number.NaN), 0);
  say(
    `| **total** | ${fixed(sum((r) => r.megapixels))} | ${fixed(sum((r) => r.oursMs))} | ${fixed(sum((r) => r.naiveMs))} | ${fixed(sum((r) => r.imagemagickMs))} | ` +
      `${fixed(sum((r) => r.floorMs))} | ${fixed(
        ratio(
          sum((r) => r.oursMs),
          sum((r) => r.floorMs),
        ),
        2,
      )} | ${fixed(
        ratio(
          sum((r) => r.imagemagickMs),
          sum((r) => r.oursMs),
        ),
        1,
      )} | | |`,
  );
  say('');
  say(`Renditions from one decode (${EXAMPLE_RENDITIONS.map(describeRendition).join('; ')}) against each rendered in a run of its own:`);
  say('');
  say('| image | MP | one decode ms | separate runs ms | ratio | costliest alone ms (floor) | floor ratio | set peak RSS MB |');
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results.filter((candidate) => candidate.megapixels >= 2)) {
    say(
      `| ${r.image} | ${fixed(r.megapixels)} | ${fixed(r.setMs)} | ${fixed(r.separateMs)} | ${fixed(ratio(r.setMs, r.separateMs), 2)} | ${fixed(r.costliestAloneMs)} | ${fixed(ratio(r.costliestAloneMs, r.separateMs), 2)} | ${r.setPeakMB} |`,
    );
  }
}

/** The packaged function on real inputs: warm CPU and wall time on a 12 MP photo, peak memory on a 24 MP one. */
async function packagedFunction(dir: string, images: readonly BenchImage[]) {
  // A real 12 MP photograph when there is one (the generated set always has one).
  const twelve = images.find((image) => image.megapixels >= 11 && image.megapixels <= 13.5);
  const twentyFour = images.find((image) => image.megapixels >= 23);
  const pipeline = await LocalPipeline.startEnvironment('dev', {
    dataDir: join(dir, 'packaged'),
    reset: true,
    concurrency: 1,
    duplicateRate: 0,
    notifications: false,
  });
  const client = pipeline.s3Client();
  const originals = pipeline.buckets.triggering[0] as string;
  const clock = new SequencerClock();
  const invokeOn = async (key: string, bytes: Buffer) => {
    const event = await uploadEvent(client, clock, { bucket: originals, key, region: pipeline.model.region, requestId: 'BENCH' }, bytes);
    const report = await pipeline.invoke('thumbnail', event);
    if (!report.ok) throw new Error(`packaged function failed on ${key}: ${report.error?.errorMessage}`);
    return report;
  };
  try {
    const memoryMB = pipeline.functionModel('thumbnail').memoryMB;
    // Emulated arm64 (make synth ARCH=arm64 on an x86_64 machine) proves the package, not its speed.
    const node = pipeline.runner('thumbnail').node;
    if (node.emulated)
      throw new Error(
        `the synthesized dev stack runs on ${pipeline.functionModel('thumbnail').architecture}, emulated here: its timings would be the emulator's. Run make bench ARCH=x86_64 here, or make bench on an arm64 machine`,
      );
    // Peak first, in a fresh environment: Lambda's "Max Memory Used" is the environment's peak.
    const peak = twentyFour ? await invokeOn('bench/24mp.jpg', twentyFour.bytes) : undefined;
    let measured: Measured | undefined;
    if (twelve) {
      await invokeOn('bench/warm.jpg', twelve.bytes);
      const reports = [];
      for (let i = 0; i < 9; i++) reports.push(await invokeOn(`bench/12mp-${i}.jpg`, twelve.bytes));
      measured = { cpuMs: median(reports.map((r) => r.cpuMs ?? r.durationMs)), wallMs: median(reports.map((r) => r.durationMs)) };
    }
    return { memoryMB, twelve: twelve?.name, measured, peak24MB: peak?.maxMemoryMB, twentyFour: twentyFour?.name };
  } finally {
    client.destroy();
    await pipeline.close();
  }
}

async function throughput(dir: string, concurrency: number, uploads: number) {
  const pipeline = await LocalPipeline.startEnvironment('dev', {
    dataDir: join(dir, `e2e-${concurrency}`),
    reset: true,
    concurrency,
    duplicateRate: 0,
  });
  const client = pipeline.s3Client();
  try {
    const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => photoJpeg(1200, 900, { seed: 500 + i })));
    const originals = pipeline.buckets.triggering[0] as string;
    const started = performance.now();
    await mapLimit(
      Array.from({ length: uploads }, (_, i) => i),
      8,
      (i) => client.send(new PutObjectCommand({ Bucket: originals, Key: `e2e/${i}.jpg`, Body: bodies[i % bodies.length] })),
    );
    await pipeline.idle();
    const seconds = (performance.now() - started) / 1000;
    const ok = pipeline.deliveries.filter((delivery) => delivery.result.ok).length;
    return { concurrency, uploads, ok, seconds, perSecond: uploads / seconds };
  } finally {
    client.destroy();
    await pipeline.close();
  }
}

function printHostileTable(rows: readonly HostileRow[], memoryMB: number) {
  const tables = [
    { table: 'jpeg', title: 'JPEG hostile inputs and the worst accepted ones, through the default stack' },
    {
      table: 'formats',
      title:
        "PNG, GIF, WebP, AVIF, HEIC and disguised hostile inputs and each format's worst accepted one, through a stack with every input format enabled",
    },
  ] as const;
  for (const { table, title } of tables) {
    const ofTable = rows.filter((row) => row.table === table);
    if (ofTable.length === 0) continue;
    say('');
    say(`${title}: each through the packaged function (${memoryMB} MB) in a fresh execution environment, S3 on loopback:`);
    say('');
    say('| input | MB | outcome | as expected | ms to refuse or finish | peak RSS MB | estimated decode ms |');
    say('| --- | ---: | --- | --- | ---: | ---: | ---: |');
    for (const row of ofTable) {
      say(
        `| ${row.name} | ${fixed(row.megabytes)} | ${row.outcome} | ${row.asExpected ? 'yes' : `**no** (expected ${row.expected})`} | ${fixed(row.ms, 0)} | ${row.peakMB ?? 'n/a'} | ${fixed(row.estimateMs, 0)} |`,
      );
    }
  }
}

function hostileTargets(rows: readonly HostileRow[], memoryMB: number): Target[] {
  const slowest = rows.reduce((worst, row) => (row.ms > worst.ms ? row : worst));
  const accepted = rows.filter((row) => row.outcome === 'thumbnail' && row.peakMB !== undefined);
  const heaviest = accepted.reduce((worst, row) => ((row.peakMB ?? 0) > (worst.peakMB ?? 0) ? row : worst), accepted[0] as HostileRow);
  const limit = Math.floor(memoryMB * 0.7);
  return [
    {
      name: 'every hostile and worst-accepted input ends as expected',
      measured: `${rows.filter((row) => row.asExpected).length}/${rows.length}`,
      met: rows.every((row) => row.asExpected),
    },
    {
      name: 'every case refused or finished within 2 s',
      measured: `slowest ${fixed(slowest.ms, 0)} ms (${slowest.name})`,
      met: slowest.ms <= 2000,
    },
    ...(heaviest
      ? [
          {
            name: `worst accepted input peaks under 70 % of ${memoryMB} MB`,
            measured: `${heaviest.peakMB} MB (limit ${limit} MB), ${heaviest.name}`,
            met: (heaviest.peakMB ?? 0) < limit,
          },
        ]
      : []),
  ];
}

function printFormats(rows: readonly FormatRow[]) {
  say('');
  say('One 1200 px preview per format (decode, resize, encode; SSIM against the same resize unencoded, 1 = identical):');
  say('');
  say('| image | format | quality | bytes | vs JPEG | ms | SSIM |');
  say('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const jpeg = rows.find((candidate) => candidate.image === row.image && candidate.format === 'jpeg');
    say(
      `| ${row.image} | ${row.format} | ${row.quality} | ${row.bytes} | ${fixed(ratio(row.bytes, jpeg?.bytes ?? Number.NaN), 2)} | ${fixed(row.ms)} | ${row.ssim.toFixed(4)} |`,
    );
  }
}

function printBackfill(runs: readonly BackfillRun[], measured: Measured | undefined) {
  say('');
  say(
    `Backfill through the local runner (${runs[0]?.objects ?? 0} existing 1200x900 JPEGs, Batch events to the packaged function, S3 on loopback, ${availableParallelism()} cores):`,
  );
  say('');
  say('| concurrency | thumbnails | seconds | objects/s |');
  say('| ---: | --- | ---: | ---: |');
  for (const run of runs)
    say(
      `| ${run.concurrency} | ${run.run === 'first' ? 'missing (written)' : 'all current (re-run)'} | ${fixed(run.seconds)} | **${fixed(run.perSecond)}** |`,
    );
  const basis = measured
    ? { ...measured, source: 'the packaged section above' }
    : { ...REFERENCE_12MP, source: `make bench, ${REFERENCE_12MP.measuredOn}` };
  say('');
  say(
    `Cost per million existing 12 MP images on AWS (prices us-east-1, ${BATCH_PRICES.asOf}: Batch $${BATCH_PRICES.perJob} per job + $${BATCH_PRICES.perMillionObjects} per million objects; ` +
      `S3 $${S3_REQUEST_PRICES.perThousandGet} per 1,000 GET/HEAD, $${S3_REQUEST_PRICES.perThousandPut} per 1,000 PUT; Lambda at 1024 MB from CPU ${fixed(basis.cpuMs)} ms / wall ${fixed(basis.wallMs)} ms, ${basis.source}):`,
  );
  say('');
  say('| architecture | Batch | Lambda | S3 requests | total |');
  say('| --- | ---: | ---: | ---: | ---: |');
  for (const architecture of ['x86_64', 'arm64'] as const) {
    const cost = backfillCost(1e6, basis, 1024, architecture);
    say(
      `| ${architecture}${architecture === 'arm64' ? ' (same duration)' : ''} | ${fixed(cost.batch, 2)} | ${fixed(cost.lambda, 2)} | ${fixed(cost.s3Requests, 2)} | **${fixed(cost.total, 2)}** |`,
    );
  }
}

function printLatencyTable(latency: LatencyResult) {
  say('');
  say(
    `Ours beside the simplest handler (client-s3 + sharp: GET, resize, PUT; scripts/bench/reference-handler.ts) and that handler plus the logs and metrics ours keeps ` +
      `(reference-observed-handler.ts), all packaged alike, on Node.js ${latency.node}, S3 behind a proxy adding each round trip (and 2 more per new connection: TCP, TLS) ` +
      `and, where a bandwidth is given, pacing each download to it per connection, as one S3 GET stream is. Medians; bare \`node -e 0\` ${fixed(latency.bareMs)} ms.`,
  );
  say('');
  say('Cold start: a fresh process, require the handler, one 640x480 event.');
  say('');
  say('| network | handler | S3 requests | import ms | first event ms | cold start ms |');
  say('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const row of latency.rows)
    say(
      `| ${describeNetwork(row.network)} | ${row.handler} | ${row.coldRequests} | ${fixed(row.cold.initMs)} | ${fixed(row.cold.firstInvokeMs)} | ${fixed(row.cold.totalMs)} |`,
    );
  for (const r of latencyRatios(latency))
    say(
      `| ${describeNetwork(r.network)} | **ours ÷ reference** | | | | **${fixed(r.cold, 2)}×** (with logs and metrics: ${fixed(r.coldObserved, 2)}×) |`,
    );
  say('');
  say(
    'End to end on photos: the photo as the first event of a fresh process (cold), and one event after another in one process (warm), with its CPU time.',
  );
  say('');
  say('| network | photo | handler | S3 requests | cold ms | warm ms | warm CPU ms |');
  say('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const row of latency.rows)
    for (const photo of row.photos)
      say(
        `| ${describeNetwork(row.network)} | ${photo.photo} (${fixed(photo.megapixels, 1)} MP) | ${row.handler} | ${photo.warmRequests} | ${fixed(photo.coldMs)} | ${fixed(photo.warmMs)} | ${fixed(photo.warmCpuMs)} |`,
      );
  for (const r of photoRatios(latency))
    say(
      `| ${describeNetwork(r.network)} | ${r.photo} | **ours ÷ reference** | | ${fixed(r.cold, 2)}× | **${fixed(r.warm, 2)}×** | ${fixed(r.cpu, 2)}× |`,
    );
  say('');
  say(
    "The floor, from the reference's own steps (warm medians, same run): a handler that downloads, then decodes, then uploads waits for their sum; " +
      'one that decoded while the bytes arrive would wait for the longer of download and decode, then the upload. sharp buffers a stream it is given ' +
      'until its end before libvips decodes a pixel (its input streams are collected whole), so no sharp-based handler can get under the sum.',
  );
  say('');
  say(
    '| network | photo | download ms | decode + resize + encode ms | upload ms | sum (floor with sharp) | max(download, decode) + upload | ours warm ms | ours ÷ sum |',
  );
  say('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of latency.rows.filter((r) => r.handler === 'reference'))
    for (const photo of row.photos) {
      const steps = photo.steps;
      if (!steps) continue;
      const sum = steps.downloadMs + steps.renderMs + steps.uploadMs;
      const overlapped = Math.max(steps.downloadMs, steps.renderMs) + steps.uploadMs;
      const ours = latencyRow(latency, row.network, 'ours').photos.find((p) => p.photo === photo.photo);
      say(
        `| ${describeNetwork(row.network)} | ${photo.photo} | ${fixed(steps.downloadMs)} | ${fixed(steps.renderMs)} | ${fixed(steps.uploadMs)} | ${fixed(sum)} | ${fixed(overlapped)} | ${fixed(ours?.warmMs)} | ${fixed(ratio(ours?.warmMs ?? Number.NaN, sum), 2)}× |`,
      );
    }
}

const latencyRow = (latency: LatencyResult, network: Network, handler: HandlerName) =>
  latency.rows.find((r) => sameNetwork(r.network, network) && r.handler === handler) as LatencyResult['rows'][number];

function latencyRatios(latency: LatencyResult) {
  const networks = latency.rows.filter((r) => r.handler === 'ours').map((r) => r.network);
  return networks.map((network) => {
    const ours = latencyRow(latency, network, 'ours');
    const reference = latencyRow(latency, network, 'reference');
    const observed = latencyRow(latency, network, 'reference + logs and metrics');
    return {
      network,
      cold: ratio(ours.cold.totalMs, reference.cold.totalMs),
      coldObserved: ratio(ours.cold.totalMs, observed.cold.totalMs),
      aboveBare: ours.cold.totalMs - latency.bareMs,
      referenceAboveBare: reference.cold.totalMs - latency.bareMs,
    };
  });
}

function photoRatios(latency: LatencyResult) {
  const networks = latency.rows.filter((r) => r.handler === 'ours').map((r) => r.network);
  return networks.flatMap((network) => {
    const ours = latencyRow(latency, network, 'ours');
    const reference = latencyRow(latency, network, 'reference');
    return ours.photos.map((photo, index) => {
      const theirs = reference.photos[index] as (typeof reference.photos)[number];
      return {
        network,
        photo: photo.photo,
        megapixels: photo.megapixels,
        cold: ratio(photo.coldMs, theirs.coldMs),
        warm: ratio(photo.warmMs, theirs.warmMs),
        cpu: ratio(photo.warmCpuMs, theirs.warmCpuMs),
      };
    });
  });
}

/** The networks the warm targets are set at: loopback, and S3 as a Lambda function sees it. */
export const LATENCY_TARGETS = [
  { network: { latencyMs: 0 }, warmRatio: 1.0 },
  { network: { latencyMs: 20, downloadMBps: 80 }, warmRatio: 0.8 },
] as const;

function latencyTargets(latency: LatencyResult): Target[] {
  const ratios = latencyRatios(latency);
  const at0 = ratios.find((r) => sameNetwork(r.network, { latencyMs: 0 }));
  const list = (pick: (r: (typeof ratios)[number]) => number) =>
    ratios.map((r) => `${fixed(pick(r), 2)}× at ${describeNetwork(r.network)}`).join(', ');
  const twelve = photoRatios(latency).filter((r) => r.megapixels < 13.5);
  return [
    {
      name: 'cold start <= 1.0x the reference',
      measured: `${list((r) => r.cold)} (the reference with logs and metrics: ${list((r) => r.coldObserved)})`,
      met: ratios.every((r) => r.cold <= 1),
    },
    ...LATENCY_TARGETS.flatMap(({ network, warmRatio }) => {
      const measured = twelve.find((r) => sameNetwork(r.network, network));
      const reference = latencyRow(latency, network, 'reference')?.photos.find((p) => p.photo === measured?.photo);
      const steps = reference?.steps;
      // The floors, as shares of the reference: what any sharp-based handler waits for, and what decoding while downloading would.
      const floors = steps
        ? ` (floors ÷ reference: download + decode + upload ${fixed((steps.downloadMs + steps.renderMs + steps.uploadMs) / reference.warmMs, 2)}×, ` +
          `max(download, decode) + upload ${fixed((Math.max(steps.downloadMs, steps.renderMs) + steps.uploadMs) / reference.warmMs, 2)}×)`
        : '';
      return measured
        ? [
            {
              name: `warm 12 MP end to end <= ${fixed(warmRatio, 1)}x the reference at ${describeNetwork(network)}`,
              measured: `${fixed(measured.warm, 2)}× (${measured.photo})${floors}`,
              met: measured.warm <= warmRatio,
            },
          ]
        : [];
    }),
    ...(at0
      ? [
          {
            name: 'cold start <= 80 ms above bare Node.js',
            measured: `${fixed(at0.aboveBare)} ms (the client-s3 + sharp reference alone: ${fixed(at0.referenceAboveBare)} ms)`,
            met: at0.aboveBare <= 80,
          },
        ]
      : []),
  ];
}

export const SECTIONS = ['render', 'latency', 'hostile', 'packaged', 'e2e', 'backfill'] as const;
type Section = (typeof SECTIONS)[number];

function renderTargets(results: readonly ImageResult[]): Target[] {
  const targets: Target[] = [];
  const large = results.filter((r) => r.megapixels >= 2 && r.floorMs !== undefined);
  if (large.length > 0) {
    const worst = Math.max(...large.map((r) => ratio(r.oursMs, r.floorMs as number)));
    const total = ratio(
      large.reduce((t, r) => t + r.oursMs, 0),
      large.reduce((t, r) => t + (r.floorMs as number), 0),
    );
    targets.push({
      name: 'render <= 1.15x the floor on >= 2 MP photos',
      measured: `worst ${fixed(worst, 2)}x, all ${fixed(total, 2)}x`,
      met: worst <= 1.15,
    });
  }
  const twelves = results.filter((r) => r.megapixels >= 11 && r.megapixels <= 13.5 && r.imagemagickMs !== undefined);
  if (twelves.length > 0) {
    const slowest = Math.min(...twelves.map((r) => ratio(r.imagemagickMs as number, r.oursMs)));
    targets.push({
      name: '>= 7x faster than ImageMagick on 12 MP photos',
      measured: `${fixed(slowest, 1)}x (${twelves.map((r) => r.image).join(', ')})`,
      met: slowest >= 7,
    });
  }
  const multi = results.filter((r) => r.megapixels >= 2);
  if (multi.length > 0) {
    const worst = Math.max(...multi.map((r) => ratio(r.setMs, r.separateMs)));
    const all = ratio(
      multi.reduce((t, r) => t + r.setMs, 0),
      multi.reduce((t, r) => t + r.separateMs, 0),
    );
    const worstFloor = Math.max(...multi.map((r) => ratio(r.costliestAloneMs, r.separateMs)));
    targets.push({
      name: `${EXAMPLE_RENDITIONS.length} renditions from one decode <= 0.7x as many separate runs`,
      measured: `worst ${fixed(worst, 2)}x, all ${fixed(all, 2)}x (the costliest rendition alone: worst ${fixed(worstFloor, 2)}x)`,
      met: worst <= 0.7,
    });
  }
  return targets;
}

type PackagedResult = NonNullable<Awaited<ReturnType<typeof packagedFunction>>>;
type HostileResult = Awaited<ReturnType<typeof hostileBenchmark>>;

/** The Lambda cost table and the default memory size: from the packaged function's figures and the worst accepted input's peak. */
function printCost(packaged: PackagedResult, hostile: { readonly data: HostileResult; readonly measuredAt: string } | undefined) {
  if (!packaged.measured) return;
  const sizes = [512, 768, 1024, 1536, 1769, 2048, 3008];
  const { measured } = packaged;
  say('');
  say(
    `Cost on Lambda (prices ${LAMBDA_PRICES.asOf}, us-east-1: x86_64 $${LAMBDA_PRICES.perGbSecond.x86_64}/GB-s, arm64 $${LAMBDA_PRICES.perGbSecond.arm64}/GB-s, $${LAMBDA_PRICES.perMillionRequests} per million requests), ` +
      `from the packaged function on ${packaged.twelve}: CPU ${fixed(measured.cpuMs)} ms, wall ${fixed(measured.wallMs)} ms per warm invocation on one full core (S3 on loopback; real S3 adds waiting time, billed at the memory size):`,
  );
  say('');
  const graviton = spedUp(measured, PUBLISHED_ARM64.speedup);
  say(
    '| memory MB | vCPU share | est. duration ms (x86_64) | x86_64 $ per million 12 MP images | arm64 $ per million, same duration | arm64 $ per million, published speed |',
  );
  say('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const size of sizes) {
    say(
      `| ${size} | ${fixed(Math.min(1, size / 1769), 2)} | ${estimatedDurationMs(measured, size)} | ${fixed(costPerMillion(measured, size, 'x86_64'), 2)} | ${fixed(costPerMillion(measured, size, 'arm64'), 2)} | ${fixed(costPerMillion(graviton, size, 'arm64'), 2)} |`,
    );
  }
  say('');
  say(
    "x86_64 durations are measured here. arm64 can't be timed on this machine (it runs arm64 code only under emulation, which proves the package works, " +
      `not how fast it is): "same duration" prices arm64 at x86_64's measured time; "published speed" assumes AWS's figure, ${PUBLISHED_ARM64.claim} ` +
      `(${PUBLISHED_ARM64.source}), for the CPU part: a best case, not a measurement.`,
  );
  const accepted = hostile?.data.rows.filter((row) => row.outcome === 'thumbnail' && row.peakMB !== undefined) ?? [];
  const largestPeak = accepted.length > 0 ? Math.max(...accepted.map((row) => row.peakMB as number)) : undefined;
  const choice = chooseMemory(measured, Math.max(largestPeak ?? 0, packaged.peak24MB ?? 0), sizes);
  say('');
  say(
    `Default memory: **${choice.memoryMB} MB** (configured: ${packaged.memoryMB} MB): the ${choice.reason}. The peak is the larger of the 24 MP JPEG's and ` +
      `${largestPeak === undefined ? 'nothing else (run the hostile section for the worst accepted inputs)' : `the worst accepted input's (${largestPeak} MB, hostile section, measured ${hostile?.measuredAt.slice(0, 10)})`}. ` +
      'The default architecture stays x86_64: arm64 is cheaper per GB-s for certain, but its speed on this work is unmeasured; run `make bench` on an arm64 machine before switching.',
  );
}

/** The charts beside the tables, from every stored section: the latency of ours and the reference, and the hostile inputs' times against 2 s. */
function writeCharts(bench: BenchReport): string[] {
  const written: string[] = [];
  const latency = bench.stored<LatencyResult>('latency')?.data;
  if (latency) {
    const bars = latency.rows
      .filter((row) => row.handler !== 'reference + logs and metrics')
      .flatMap((row) =>
        row.photos.map((photo) => ({
          label: `${describeNetwork(row.network)}, ${photo.photo}, ${row.handler}`,
          value: photo.warmMs,
          secondary: row.handler !== 'ours',
        })),
      );
    writeFileSync(
      join(OUT, 'latency.svg'),
      barChart({ title: 'Warm end to end, ours beside the reference (median ms)', unit: 'ms', bars }),
    );
    written.push('latency.svg');
  }
  const hostile = bench.stored<HostileResult>('hostile')?.data;
  if (hostile) {
    const bars = hostile.rows.map((row) => ({ label: row.name.slice(0, 80), value: row.ms, secondary: row.outcome !== 'thumbnail' }));
    writeFileSync(
      join(OUT, 'hostile.svg'),
      barChart({
        title: 'Hostile and worst accepted inputs: ms to refuse (grey) or finish (blue)',
        unit: 'ms',
        bars,
        limit: { value: 2000, label: '2 s' },
      }),
    );
    written.push('hostile.svg');
  }
  return written;
}

async function main() {
  const program = new Command('bench')
    .description('Benchmarks (not tests): render, cold start, packaged function, end to end, cost')
    .addOption(new Option('--only <sections...>', 'run only these sections').choices(SECTIONS).default([...SECTIONS]))
    .parse();
  const only = new Set<Section>(program.opts<{ only: Section[] }>().only);
  mkdirSync(OUT, { recursive: true });
  const bench = new BenchReport(OUT, SECTIONS);
  report = bench;
  // Named after this process: a killed run's is removed by the next (scratch-dirs.ts).
  const dir = makeScratchDir('thumbnail-bench');
  // Ctrl-C or a kill leaves nothing behind: the scratch folder goes, stored sections stay whole.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const tools = { convert: findBinary('convert') ?? findBinary('magick'), djpeg: findBinary('djpeg'), time: findGnuTime() };
    say(`# make bench, ${new Date().toISOString().slice(0, 10)}`);
    say('');
    say(
      `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; Node.js ${process.versions.node}; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, concurrency ${sharp.concurrency()}`,
    );
    say(
      `ImageMagick: ${tools.convert ? `${tools.convert} (${versionOf(tools.convert, ['-version'])})` : 'absent: skipped (Debian: apt-get install imagemagick)'}`,
    );
    say(
      `floor: ${tools.djpeg ? `${tools.djpeg} -scale 1/8 (libjpeg-turbo; ${versionOf(tools.djpeg, ['-version'])})` : 'absent: skipped (Debian: apt-get install libjpeg-turbo-progs)'}`,
    );
    say(`peak RSS of spawned tools: ${tools.time ? 'GNU time %M' : 'GNU time absent: not measured (apt-get install time)'}`);
    say("The ImageMagick and djpeg times include starting a process, as the seed notes' imagemagick module pays it for every image.");
    say(`sections run this time: ${[...only].join(', ')}; the others are as an earlier run measured them (dated below).`);
    const images = await benchImages(dir);
    const functionZip = statSync(functionZipPath('thumbnail')).size;
    const layerZip = statSync(layerZipPath('x86_64')).size;
    say(`Artifacts: function zip ${formatBytes(functionZip)}, layer zip ${formatBytes(layerZip)}.`);

    if (only.has('render')) {
      bench.begin();
      console.error('render benchmark:');
      const results = await renderBenchmark(images, tools);
      printRenderTable(results);
      console.error('formats:');
      const formats = await formatBenchmark(images.filter((image) => image.megapixels >= 2).slice(0, 4), (bytes, renditions) =>
        ours(bytes, renditions),
      );
      printFormats(formats);
      bench.end('render', { results, formats }, renderTargets(results));
    }

    const twelve = images.find((image) => image.megapixels >= 11 && image.megapixels <= 13.5);
    const larger = images.filter((image) => image.megapixels >= 20).at(-1);
    if (only.has('latency')) {
      bench.begin();
      console.error('cold start and latency, ours beside the reference...');
      const latency = await latencyBenchmark(dir, {
        networks: [{ latencyMs: 0 }, { latencyMs: 20 }, { latencyMs: 20, downloadMBps: 80 }],
        coldRuns: 15,
        photoColdRuns: 5,
        warmRuns: 15,
        small: await photoJpeg(640, 480, { seed: 5 }),
        photos: [twelve, larger].filter((image): image is BenchImage => image !== undefined),
      });
      printLatencyTable(latency);
      bench.end('latency', latency, latencyTargets(latency));
    }

    // Before the packaged section, whose memory recommendation reads the worst accepted input's peak.
    if (only.has('hostile')) {
      bench.begin();
      console.error('hostile inputs...');
      const hostile = await hostileBenchmark(dir, { worst: true });
      printHostileTable(hostile.rows, hostile.memoryMB);
      bench.end('hostile', hostile, hostileTargets(hostile.rows, hostile.memoryMB));
    }

    if (only.has('packaged')) {
      bench.begin();
      console.error('packaged function...');
      const packaged = await packagedFunction(dir, images);
      const targets: Target[] = [];
      if (packaged?.peak24MB !== undefined)
        targets.push({
          name: `peak RSS on a 24 MP JPEG within ${packaged.memoryMB} MB with 30 % headroom`,
          measured: `${packaged.peak24MB} MB (limit ${Math.floor(packaged.memoryMB * 0.7)} MB), packaged function, ${packaged.twentyFour}`,
          met: packaged.peak24MB <= packaged.memoryMB * 0.7,
        });
      if (packaged) printCost(packaged, bench.stored<HostileResult>('hostile'));
      bench.end('packaged', packaged ?? {}, targets);
    }

    if (only.has('e2e')) {
      bench.begin();
      console.error('end to end...');
      const runs = [await throughput(dir, 1, 200), await throughput(dir, 4, 200)];
      say('');
      say('End to end through the local runner (200 uploads of 1200x900 JPEGs, S3 on loopback):');
      for (const run of runs)
        say(
          `- concurrency ${run.concurrency}: ${run.ok}/${run.uploads} in ${fixed(run.seconds)} s = **${fixed(run.perSecond)} thumbnails/s**`,
        );
      bench.end('e2e', { runs });
    }

    if (only.has('backfill')) {
      bench.begin();
      console.error('backfill...');
      const backfill = await backfillBenchmark(dir, 200, [1, 4]);
      printBackfill(backfill, bench.stored<PackagedResult>('packaged')?.data.measured);
      bench.end('backfill', { runs: backfill });
    }

    bench.write([
      { name: 'function zip <= 300 KB', measured: formatBytes(functionZip), met: functionZip <= BUDGETS.functionZipBytes },
      { name: 'layer zip <= 9 MB', measured: formatBytes(layerZip), met: layerZip <= BUDGETS.layerZipBytes },
    ]);
    const charts = writeCharts(bench);
    console.error(`\nwrote ${basename(OUT)}/results.md and results.json${charts.length > 0 ? `, and ${charts.join(', ')}` : ''}`);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runMain('bench', main);
