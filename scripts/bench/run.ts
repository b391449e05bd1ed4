/**
 * `make bench`: performance, separate from the tests. In one run, on the same images:
 * our render step, sharp used naively, ImageMagick's `convert -resize 100x` spawned per image (as the
 * seed notes' imagemagick module does), and the floor, libjpeg-turbo's `djpeg -scale 1/8`. Then
 * several widths from one upload, the packaged function's cold start and memory peak, end-to-end
 * throughput through the local runner, and what it all costs on Lambda. Figures go to stdout and to
 * .bench/results.json and .bench/results.md.
 */

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Command, Option } from 'commander';
import { build } from 'esbuild';
import sharp from 'sharp';
import { DEFAULTS, ENV, LIMITS } from '../../handlers/thumbnail/constants';
import { readJpegHeader, renderThumbnails } from '../../handlers/thumbnail/image';
import { planSizes } from '../../handlers/thumbnail/plan';
import { functionZipPath, PATHS, ROOT, sharedFixturesDir } from '../../lib/paths';
import { esbuildOptions } from '../build';
import { BUDGETS, formatBytes } from '../lib/budgets';
import { isMain, runMain } from '../lib/cli';
import { photoJpeg } from '../lib/samples';
import { createZip } from '../lib/zip';
import { mapLimit } from '../local';
import { lambdaNodeBinary } from '../local/function-runner';
import { extractLambdaLayout, lambdaNodePath } from '../local/layout';
import { LocalPipeline } from '../local/pipeline';
import { SequencerClock } from '../local/s3-events';
import { LOCAL_CREDENTIALS, startLocalS3 } from '../local/s3-server';
import { uploadEvent } from '../local/upload-event';
import { chooseMemory, costPerMillion, estimatedDurationMs, LAMBDA_PRICES, type Measured } from './cost';
import { type HostileRow, hostileBenchmark } from './hostile';
import { fixed, iterationsFor, median, ratio } from './stats';
import { findBinary, findGnuTime, versionOf } from './tools';

const SHARED_IMAGES = sharedFixturesDir('images');
const OUT = join(ROOT, '.bench');
const RENDER = { jpegQuality: DEFAULTS.jpegQuality, maxInputPixels: LIMITS.maxInputPixels };
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

const lines: string[] = [];
function say(line = '') {
  console.log(line);
  lines.push(line);
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

async function ours(bytes: Buffer, widths: readonly number[] = [100]) {
  const header = await readJpegHeader(bytes, DECODE_LIMITS);
  return renderThumbnails(
    bytes,
    header,
    planSizes(
      header.display,
      widths.map((width) => ({ width, key: String(width) })),
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

function peakRssOfRender(path: string, widths = '100'): { baselineMB: number; peakMB: number } {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'bench', 'rss-probe.ts'), path, widths], {
    encoding: 'utf8',
  });
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
  readonly multiMs: number;
  readonly multiSmallMs: number;
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
      multi: [] as number[],
      multiSmall: [] as number[],
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
      samples.multi.push(await timed(() => ours(image.bytes, [100, 400, 1200])));
      samples.multiSmall.push(await timed(() => ours(image.bytes, [100, 200, 400])));
    }
    const rss = peakRssOfRender(image.path);
    const result: ImageResult = {
      image: image.name,
      source: image.source,
      megapixels: image.megapixels,
      oursMs: median(samples.ours),
      naiveMs: median(samples.naive),
      ...(tools.convert ? { imagemagickMs: median(samples.im) } : {}),
      ...(tools.djpeg ? { floorMs: median(samples.floor) } : {}),
      multiMs: median(samples.multi),
      multiSmallMs: median(samples.multiSmall),
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
  say('Several widths from one upload (one decode, at the scale the largest width needs):');
  say('');
  say('| image | MP | 100 ms | 100+400+1200 ms | ratio | 100+200+400 ms | ratio |');
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results.filter((candidate) => candidate.megapixels >= 2)) {
    say(
      `| ${r.image} | ${fixed(r.megapixels)} | ${fixed(r.oursMs)} | ${fixed(r.multiMs)} | ${fixed(ratio(r.multiMs, r.oursMs), 2)} | ${fixed(r.multiSmallMs)} | ${fixed(ratio(r.multiSmallMs, r.oursMs), 2)} |`,
    );
  }
}

/** The reference handler (client-s3 and sharp, nothing else), bundled and zipped as the real one is. */
async function referenceZip(dir: string): Promise<string> {
  const outfile = join(dir, 'reference', 'index.js');
  await build(esbuildOptions(join(ROOT, 'scripts', 'bench', 'reference-handler.ts'), outfile));
  const zip = join(dir, 'reference.zip');
  writeFileSync(zip, createZip([{ path: 'index.js', data: readFileSync(outfile) }]));
  return zip;
}

interface ColdStart {
  /** Median wall time of a fresh process: require the handler, then one invocation. */
  readonly totalMs: number;
  readonly initMs: number;
  readonly firstInvokeMs: number;
}

/**
 * Packaged functions in the Lambda-like layout: cold start against bare Node.js, on the Lambda
 * Node.js version. Ours, and the reference handler that loads only what the stack requires.
 */
async function coldStart(dir: string) {
  const node = lambdaNodeBinary();
  const functions = { thumbnail: functionZipPath('thumbnail'), reference: await referenceZip(dir) };
  type Name = keyof typeof functions;
  const s3 = await startLocalS3({ directory: join(dir, 'cold-s3'), buckets: ['originals', 'thumbnails'] });
  const client = s3.client('us-east-1');
  const runs = 15;
  const body = await photoJpeg(640, 480, { seed: 5 });
  const clock = new SequencerClock();
  // A fresh upload for every process, so no run finds its thumbnail already written.
  const upload = async (key: string) =>
    JSON.stringify(await uploadEvent(client, clock, { bucket: 'originals', key, region: 'us-east-1', requestId: 'COLD' }, body));
  const probe = (taskRoot: string) => {
    const path = join(taskRoot, '..', 'probe.mjs');
    writeFileSync(
      path,
      [
        "import { createRequire } from 'node:module';",
        'const t0 = performance.now();',
        // As Lambda's runtime loads a CommonJS handler: require(), not import().
        "const { handler } = createRequire(import.meta.url)(process.env.LAMBDA_TASK_ROOT + '/index.js');",
        'const t1 = performance.now();',
        "await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'cold', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', getRemainingTimeInMillis: () => 30000 });",
        'console.log(JSON.stringify({ initMs: t1 - t0, firstMs: performance.now() - t1 }));',
        // The SDK keeps its connections open (as Lambda would reuse them): end the process explicitly.
        'process.exit(0);',
      ].join('\n'),
    );
    return path;
  };
  const env = (taskRoot: string, nodePath: string) => ({
    PATH: process.env['PATH'] ?? '',
    HOME: '/tmp',
    LAMBDA_TASK_ROOT: taskRoot,
    NODE_PATH: nodePath,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    [ENV.sourceBucket]: 'originals',
    [ENV.destinationBucket]: 'thumbnails',
  });
  const target = (name: Name) => {
    const layout = extractLambdaLayout(functions[name], [PATHS.layerZip], join(dir, 'cold', name));
    return { probe: probe(layout.taskRoot), cwd: layout.taskRoot, env: env(layout.taskRoot, lambdaNodePath(layout)) };
  };
  const targets: Record<Name, ReturnType<typeof target>> = { thumbnail: target('thumbnail'), reference: target('reference') };
  // Asynchronous: the local S3 server runs in this process and must keep answering.
  const wall = async (name: Name, args: string[], extra: Record<string, string> = {}) => {
    const target = targets[name];
    const started = performance.now();
    const { stdout, code, stderr } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      const child = spawn(node.path, args, { env: { ...target.env, ...extra }, cwd: target.cwd });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (err += chunk));
      child.on('close', (exitCode) => resolve({ stdout: out, stderr: err, code: exitCode }));
    });
    if (code !== 0) throw new Error(`cold start probe of ${name} failed (${code}): ${stderr}`);
    return { ms: performance.now() - started, stdout };
  };
  const invoke = async (name: Name, key: string) => {
    const run = await wall(name, [targets[name].probe], { EVENT: await upload(key) });
    const inner = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { initMs: number; firstMs: number };
    return { totalMs: run.ms, initMs: inner.initMs, firstMs: inner.firstMs };
  };
  // One untimed round warms the file cache.
  await wall('thumbnail', ['-e', '0']);
  for (const name of Object.keys(functions) as Name[]) await invoke(name, `cold/warm-${name}.jpg`);
  const bare: number[] = [];
  const samples: Record<Name, { totalMs: number; initMs: number; firstMs: number }[]> = { thumbnail: [], reference: [] };
  for (let i = 0; i < runs; i++) {
    bare.push((await wall('thumbnail', ['-e', '0'])).ms);
    for (const name of Object.keys(functions) as Name[]) samples[name].push(await invoke(name, `cold/${name}-${i}.jpg`));
  }
  client.destroy();
  await s3.close();
  const summary = (name: Name): ColdStart => ({
    totalMs: median(samples[name].map((s) => s.totalMs)),
    initMs: median(samples[name].map((s) => s.initMs)),
    firstInvokeMs: median(samples[name].map((s) => s.firstMs)),
  });
  return { node: node.version, runs, bareMs: median(bare), handler: summary('thumbnail'), reference: summary('reference') };
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
  say('');
  say(
    `Hostile inputs and the worst accepted ones, each through the packaged function (${memoryMB} MB) in a fresh execution environment, S3 on loopback:`,
  );
  say('');
  say('| input | MB | outcome | as expected | ms to refuse or finish | peak RSS MB | estimated decode ms |');
  say('| --- | ---: | --- | --- | ---: | ---: | ---: |');
  for (const row of rows) {
    say(
      `| ${row.name} | ${fixed(row.megabytes)} | ${row.outcome} | ${row.asExpected ? 'yes' : `**no** (expected ${row.expected})`} | ${fixed(row.ms, 0)} | ${row.peakMB ?? 'n/a'} | ${fixed(row.estimateMs, 0)} |`,
    );
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

interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export const SECTIONS = ['render', 'cold', 'packaged', 'e2e', 'hostile'] as const;
type Section = (typeof SECTIONS)[number];

/** Run one section when it was asked for, saying so on stderr. */
async function section<T>(only: ReadonlySet<Section>, name: Section, title: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!only.has(name)) return undefined;
  console.error(`${title}...`);
  return run();
}

async function main() {
  const program = new Command('bench')
    .description('Benchmarks (not tests): render, cold start, packaged function, end to end, cost')
    .addOption(new Option('--only <sections...>', 'run only these sections').choices(SECTIONS).default([...SECTIONS]))
    .parse();
  const only = new Set<Section>(program.opts<{ only: Section[] }>().only);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'thumbnail-bench-'));
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
    const images = await benchImages(dir);
    let results: ImageResult[] = [];
    if (only.has('render')) {
      console.error('render benchmark:');
      results = await renderBenchmark(images, tools);
      printRenderTable(results);
    }

    let cold: Awaited<ReturnType<typeof coldStart>> | undefined;
    if (only.has('cold')) {
      console.error('cold start...');
      cold = await coldStart(dir);
      say('');
      const bareMs = cold.bareMs;
      const above = (c: ColdStart) => fixed(c.totalMs - bareMs);
      say(
        `Cold start (Node.js ${cold.node}, medians of ${cold.runs} fresh processes, 640x480 JPEG, S3 on loopback): bare \`node -e 0\` ${fixed(cold.bareMs)} ms.`,
      );
      say('');
      say('| package | import ms | first invocation ms | total ms | above bare Node.js |');
      say('| --- | --: | --: | --: | --: |');
      say(
        `| our handler | ${fixed(cold.handler.initMs)} | ${fixed(cold.handler.firstInvokeMs)} | ${fixed(cold.handler.totalMs)} | **${above(cold.handler)} ms** |`,
      );
      say(
        `| reference: client-s3 + sharp only (scripts/bench/reference-handler.ts) | ${fixed(cold.reference.initMs)} | ${fixed(cold.reference.firstInvokeMs)} | ${fixed(cold.reference.totalMs)} | ${above(cold.reference)} ms |`,
      );
    }
    const functionZip = statSync(functionZipPath('thumbnail')).size;
    const layerZip = statSync(PATHS.layerZip).size;
    say(`Artifacts: function zip ${formatBytes(functionZip)}, layer zip ${formatBytes(layerZip)}.`);

    const packaged = await section(only, 'packaged', 'packaged function', () => packagedFunction(dir, images));
    const e2e =
      (await section(only, 'e2e', 'end to end', async () => [await throughput(dir, 1, 200), await throughput(dir, 4, 200)])) ?? [];
    if (e2e.length > 0) {
      say('');
      say('End to end through the local runner (200 uploads of 1200x900 JPEGs, S3 on loopback):');
      for (const run of e2e)
        say(
          `- concurrency ${run.concurrency}: ${run.ok}/${run.uploads} in ${fixed(run.seconds)} s = **${fixed(run.perSecond)} thumbnails/s**`,
        );
    }

    const hostile = await section(only, 'hostile', 'hostile inputs', () => hostileBenchmark(dir, { worst: true }));
    if (hostile) printHostileTable(hostile.rows, hostile.memoryMB);

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
      const worstMulti = Math.max(...multi.map((r) => ratio(r.multiMs, r.oursMs)));
      const worstSmall = Math.max(...multi.map((r) => ratio(r.multiSmallMs, r.oursMs)));
      targets.push({
        name: 'widths 100+400+1200 <= 1.6x the single 100 px width',
        measured: `worst ${fixed(worstMulti, 2)}x (100+200+400: worst ${fixed(worstSmall, 2)}x)`,
        met: worstMulti <= 1.6,
      });
    }
    if (packaged?.peak24MB !== undefined) {
      targets.push({
        name: `peak RSS on a 24 MP JPEG within ${packaged.memoryMB} MB with 30 % headroom`,
        measured: `${packaged.peak24MB} MB (limit ${Math.floor(packaged.memoryMB * 0.7)} MB), packaged function, ${packaged.twentyFour}`,
        met: packaged.peak24MB <= packaged.memoryMB * 0.7,
      });
    }
    if (cold) {
      const above = cold.handler.totalMs - cold.bareMs;
      targets.push({
        name: 'cold start <= 80 ms above bare Node.js',
        measured: `${fixed(above)} ms (the client-s3 + sharp reference alone: ${fixed(cold.reference.totalMs - cold.bareMs)} ms)`,
        met: above <= 80,
      });
    }
    if (hostile) targets.push(...hostileTargets(hostile.rows, hostile.memoryMB));
    targets.push({ name: 'function zip <= 300 KB', measured: formatBytes(functionZip), met: functionZip <= BUDGETS.functionZipBytes });
    targets.push({ name: 'layer zip <= 9 MB', measured: formatBytes(layerZip), met: layerZip <= BUDGETS.layerZipBytes });

    if (packaged?.measured) {
      const sizes = [512, 768, 1024, 1536, 1769, 2048, 3008];
      const { measured } = packaged;
      say('');
      say(
        `Cost on Lambda (prices ${LAMBDA_PRICES.asOf}, us-east-1: x86_64 $${LAMBDA_PRICES.perGbSecond.x86_64}/GB-s, arm64 $${LAMBDA_PRICES.perGbSecond.arm64}/GB-s, $${LAMBDA_PRICES.perMillionRequests} per million requests), ` +
          `from the packaged function on ${packaged.twelve}: CPU ${fixed(measured.cpuMs)} ms, wall ${fixed(measured.wallMs)} ms per warm invocation on one full core (S3 on loopback; real S3 adds waiting time, billed at the memory size):`,
      );
      say('');
      say('| memory MB | vCPU share | est. duration ms | x86_64 $ per million 12 MP images | arm64 $ per million |');
      say('| ---: | ---: | ---: | ---: | ---: |');
      for (const size of sizes) {
        say(
          `| ${size} | ${fixed(Math.min(1, size / 1769), 2)} | ${estimatedDurationMs(measured, size)} | ${fixed(costPerMillion(measured, size, 'x86_64'), 2)} | ${fixed(costPerMillion(measured, size, 'arm64'), 2)} |`,
        );
      }
      const accepted = hostile?.rows.filter((row) => row.outcome === 'thumbnail' && row.peakMB !== undefined) ?? [];
      const largestPeak = accepted.length > 0 ? Math.max(...accepted.map((row) => row.peakMB as number)) : undefined;
      const choice = chooseMemory(measured, Math.max(largestPeak ?? 0, packaged.peak24MB ?? 0), sizes);
      say('');
      say(
        `Default memory: **${choice.memoryMB} MB** (configured: ${packaged.memoryMB} MB): the ${choice.reason}. The peak is the larger of the 24 MP JPEG's and ` +
          `${largestPeak === undefined ? 'nothing else (run the hostile section for the worst accepted inputs)' : `the worst accepted input's (${largestPeak} MB, hostile table above)`}. ` +
          'arm64 would cost less, but needs a linux-arm64 sharp layer; the layer is x86_64.',
      );
    }

    say('');
    say('| target | measured | met |');
    say('| --- | --- | --- |');
    for (const target of targets)
      say(`| ${target.name} | ${target.measured} | ${target.met === undefined ? 'n/a' : target.met ? 'yes' : '**no**'} |`);
    writeFileSync(join(OUT, 'results.md'), `${lines.join('\n')}\n`);
    writeFileSync(join(OUT, 'results.json'), `${JSON.stringify({ results, cold, packaged, e2e, hostile, targets }, null, 2)}\n`);
    console.error(`\nwrote ${basename(OUT)}/results.md and results.json`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runMain('bench', main);
