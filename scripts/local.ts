/**
 * `make local`: the synthesized stack on this machine. Uploads the project's generated sample
 * images (plus `--count N` photos), waits for every event, prints a table, and exits 0 when every
 * upload ended where it should: a thumbnail, or (for the samples meant to be refused) a recorded
 * failure. `--serve` keeps it running for your own uploads until Ctrl-C.
 */

import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { HeadObjectCommand, type NotificationConfiguration, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MultiBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { DEFAULTS, ENV, type Rendition } from '../handlers/thumbnail/constants';
import { planRenditionKeys } from '../handlers/thumbnail/keys';
import { readEnvironment } from '../infra/environments-file';
import { stackName } from '../infra/names';
import { PATHS, ROOT } from '../lib/paths';
import { readNotifications } from './adopted-bucket';
import { destinationsOf } from './lib/bucket-notifications';
import { isMain, onInterrupt, runMain } from './lib/cli';
import { photoJpeg, SAMPLES } from './lib/samples';
import { existingObjects } from './local/adopted-bucket';
import { LOCAL_RETRY_DELAYS_MS } from './local/async-invoke';
import { lambdaNodeBinary } from './local/lambda-node';
import { startPageServer } from './local/page-server';
import { type Delivery, LocalPipeline } from './local/pipeline';
import { describeOutcome, writtenThumbnails } from './local/reports';
import { LOCAL_CREDENTIALS } from './local/s3-server';

export interface Upload {
  readonly key: string;
  readonly description: string;
  readonly expectThumbnail: boolean;
  readonly bytes: () => Promise<Buffer>;
}

/** One rendition of one upload, as found in the thumbnails bucket and the function's log. */
export interface OutputOutcome {
  readonly rendition: string;
  readonly key: string;
  readonly bytes?: number;
  readonly width?: number;
  readonly height?: number;
}

export interface UploadOutcome {
  readonly upload: Upload;
  /** One per rendition, in the configured order. */
  readonly outputs: readonly OutputOutcome[];
  readonly ms?: number;
  /** errorType of the recorded failure, when there is one. */
  readonly failure?: string;
  readonly asExpected: boolean;
}

/** The renditions a synthesized function is configured with (its RENDITIONS variable), or the default. */
export function renditionsOf(environment: Readonly<Record<string, string>>): Rendition[] {
  const raw = environment[ENV.renditions];
  return raw ? (JSON.parse(raw) as Rendition[]) : DEFAULTS.renditions.map((entry) => ({ ...entry }));
}

/** The samples, plus `count` generated photos under nested, awkward keys, all under `prefix` (an adopted bucket's uploads folder). */
export function plannedUploads(count: number, prefix = ''): Upload[] {
  const photos = Array.from(
    { length: count },
    (_, i): Upload => ({
      key: `${prefix}load/${String(i % 10).padStart(2, '0')}/photo ${i} (${i % 3 === 0 ? 'a+b' : 'ü'}).jpg`,
      description: 'generated 1200x900 photo',
      expectThumbnail: true,
      bytes: () => photoJpeg(1200, 900, { seed: 100 + i }),
    }),
  );
  return [
    ...SAMPLES.map((sample) => ({
      key: `${prefix}${sample.key}`,
      description: sample.description,
      expectThumbnail: sample.thumbnail,
      bytes: sample.bytes,
    })),
    ...photos,
  ];
}

/** Run `work` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Two progress bars (uploads, thumbnails); in CI logs they print every few seconds instead of redrawing. */
function progressBars(total: number) {
  const bars = new MultiBar(
    { format: '{label} [{bar}] {value}/{total}', noTTYOutput: true, notTTYSchedule: 3000, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  return { bars, uploaded: bars.create(total, 0, { label: 'uploaded  ' }), processed: bars.create(total, 0, { label: 'processed ' }) };
}

interface LocalOptions {
  env: string;
  serve: boolean;
  count: number;
  concurrency: number;
  duplicateRate: number;
  s3Port?: number;
  pagePort?: number;
  fresh: boolean;
  logs: boolean;
  faults: number;
}

async function startPipeline(options: LocalOptions) {
  // An unknown environment is said as such, before looking for its stack files.
  const { architecture } = readEnvironment(options.env);
  const stack = stackName(options.env);
  const node = lambdaNodeBinary(architecture);
  console.log(
    `local: stack ${stack} on ${architecture}; functions run on Node.js ${node.version}${node.emulated ? ' for arm64, under qemu-aarch64 emulation (slow)' : ''}` +
      `${node.version.startsWith('24.') ? '' : ' (Lambda runs 24: `make lambda-node`)'}`,
  );
  const pipeline = await LocalPipeline.startEnvironment(options.env, {
    command: `make local${options.serve ? ' --serve' : ''}`,
    seedAdoptedBuckets: true,
    reset: options.fresh,
    concurrency: options.concurrency,
    duplicateRate: options.duplicateRate,
    retryDelaysMs: LOCAL_RETRY_DELAYS_MS,
    ...(options.faults > 0 ? { faults: { share: options.faults } } : {}),
    ...(options.s3Port === undefined ? {} : { s3Port: options.s3Port }),
  });
  const thumbnailFn = pipeline.functionModel('thumbnail');
  const originals = pipeline.buckets.triggering[0];
  if (!originals) throw new Error('the stack has no bucket with a notification rule');
  const thumbnails = pipeline.functionVariable('thumbnail', ENV.destinationBucket);
  const renditions = renditionsOf(thumbnailFn.environment);
  const [failureQueue] = pipeline.failureQueues;
  const adopted = pipeline.adoptedBucketSeeds().find((seed) => seed.bucket === originals);
  if (adopted) {
    const client = pipeline.s3Client();
    try {
      console.log(
        `local: ${originals} is an adopted bucket (looked up, never managed by the stack): uploads under "${adopted.prefix}" reach the function ` +
          `${adopted.eventBridge ? 'through EventBridge (the rule in cdk.tf.json, matched locally)' : "by the stack's own S3 notification"}; ` +
          `${describeConfiguration(await readNotifications(client, originals))}`,
      );
    } finally {
      client.destroy();
    }
  }
  console.log(
    `local: S3 ${pipeline.s3.endpoint}, buckets ${originals} -> ${thumbnails}; data in ${relative(ROOT, PATHS.local) || PATHS.local}, ` +
      `${options.fresh ? 'started fresh (--fresh)' : 'kept from earlier runs (--fresh starts from empty buckets and queues)'}`,
  );
  if (options.logs) pipeline.onFunctionLog((fn, line) => console.log(`  [${fn}] ${line}`));
  return { pipeline, originals, thumbnails, renditions, failureQueue, uploadPrefix: adopted?.prefix ?? '', adopted };
}

/** One line on a bucket's notification configuration: EventBridge, and the other consumers' rules. */
export function describeConfiguration(configuration: NotificationConfiguration): string {
  const others = destinationsOf(configuration);
  return `EventBridge ${configuration.EventBridgeConfiguration ? 'on' : 'off'}, ${others.length} notification rule(s)${others.length ? `: ${others.map((rule) => rule.id ?? rule.arn).join(', ')}` : ''}`;
}

async function serve(options: LocalOptions) {
  const { pipeline, originals, thumbnails, failureQueue, uploadPrefix } = await startPipeline({
    ...options,
    s3Port: options.s3Port ?? 4569,
  });
  const lambda = await pipeline.serveLambdaApi();
  const page = await startPageServer({
    pipeline,
    originals,
    thumbnails,
    uploadPrefix,
    failureQueue,
    ...(options.pagePort === undefined ? {} : { port: options.pagePort }),
  });
  pipeline.onDelivery((delivery) => console.log(describeDelivery(delivery)));
  pipeline.onUndelivered((upload) => console.log(`${upload.eventName} ${upload.bucket}/${upload.key} -> not delivered: ${upload.reason}`));
  const endpoint = pipeline.s3.endpoint;
  console.log(
    [
      '',
      'The pipeline is running. In another terminal:',
      '',
      `  export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_DEFAULT_REGION=${pipeline.model.region}`,
      `  aws s3 cp --endpoint-url ${endpoint} photo.jpg s3://${originals}/${uploadPrefix}photos/photo.jpg`,
      `  aws s3 ls --endpoint-url ${endpoint} s3://${thumbnails}/${uploadPrefix}photos/`,
      `  make invoke FILE=photo.jpg KEY=${uploadPrefix}photos/photo.jpg     (uses this stack's functions)`,
      '',
      `  originals bucket   ${originals}`,
      `  thumbnails bucket  ${thumbnails}`,
      `  Lambda API         ${lambda} (aws lambda invoke --endpoint-url ${lambda} ...)`,
      ...(failureQueue
        ? [`  failures           ${relative(ROOT, pipeline.queueFile(failureQueue)) || pipeline.queueFile(failureQueue)}`]
        : []),
      '',
      `One line per event follows${options.logs ? ", with the functions' log lines" : " (--logs adds the functions' log lines)"}. Ctrl-C stops it; the data stays for the next run.`,
      '',
      'The page shows every event with its images, takes uploads and redrives failures (objects are also readable at their S3 address, no credentials needed):',
      `page: ${page.url}`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    onInterrupt(async () => {
      console.log('\nlocal: stopping (finishing the events in flight)...');
      await page.close();
      await pipeline.idle();
      await pipeline.close();
      console.log(`local: stopped; the buckets and queues stay in ${relative(ROOT, PATHS.local) || PATHS.local} for the next run`);
      resolve();
      return 0;
    });
  });
}

/** One line for a delivered event: which upload, and what came of it (the thumbnails, or the reason not). */
export function describeDelivery(delivery: Delivery): string {
  return `${delivery.eventName} ${delivery.bucket}/${delivery.key}${delivery.duplicate ? ' (duplicate delivery)' : ''} -> ${describeOutcome(delivery.result)}`;
}

async function runOnce(options: LocalOptions): Promise<number> {
  const { pipeline, originals, thumbnails, renditions, failureQueue, uploadPrefix, adopted } = await startPipeline(options);
  const client = pipeline.s3Client();
  onInterrupt(async () => {
    console.log('\nlocal: interrupted; stopping');
    client.destroy();
    await pipeline.close();
    return undefined;
  });
  try {
    const uploads = plannedUploads(options.count, uploadPrefix);
    const configurationBefore = adopted ? await readNotifications(client, originals) : undefined;
    const started = performance.now();
    const progress = progressBars(uploads.length);
    const processed = new Set<string>();
    pipeline.onDelivery((delivery) => {
      if (!processed.has(delivery.key)) {
        processed.add(delivery.key);
        progress.processed.increment();
      }
    });
    await mapLimit(uploads, 4, async (upload) => {
      await client.send(
        new PutObjectCommand({ Bucket: originals, Key: upload.key, Body: await upload.bytes(), ContentType: 'image/jpeg' }),
      );
      progress.uploaded.increment();
    });
    await pipeline.idle();
    // Uploads the trigger ignores (no matching suffix) are never "processed".
    progress.processed.update(processed.size);
    progress.bars.stop();
    const seconds = (performance.now() - started) / 1000;

    const failures = pipeline.failureRecords();
    const outcomes = await Promise.all(
      uploads.map(async (upload): Promise<UploadOutcome> => {
        const logged = pipeline.deliveries
          .filter((delivery) => delivery.key === upload.key)
          .flatMap((delivery) => writtenThumbnails(delivery.result.report));
        const outputs = await Promise.all(
          planRenditionKeys(upload.key, renditions).map(async (target): Promise<OutputOutcome> => {
            const head = await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: target.key })).catch(() => undefined);
            const written = logged.flatMap((line) => line.outputs).find((output) => output.key === target.key);
            return {
              rendition: target.rendition.name,
              key: target.key,
              ...(head?.ContentLength === undefined ? {} : { bytes: head.ContentLength }),
              ...(written ? { width: written.width, height: written.height } : {}),
            };
          }),
        );
        const ms = logged[0]?.ms.total;
        const failure = failures.find((record) => record.responsePayload?.key === upload.key)?.responsePayload?.errorType;
        const made = outputs.filter((output) => output.bytes !== undefined).length;
        return {
          upload,
          outputs,
          ...(ms === undefined ? {} : { ms }),
          ...(failure ? { failure } : {}),
          asExpected: upload.expectThumbnail ? made === outputs.length : made === 0 && failure !== undefined,
        };
      }),
    );
    printTable(outcomes);
    const thumbnailsMade = outcomes.filter((outcome) => outcome.outputs.every((output) => output.bytes !== undefined)).length;
    const objectsWritten = outcomes.reduce(
      (sum, outcome) => sum + outcome.outputs.filter((output) => output.bytes !== undefined).length,
      0,
    );
    const recorded = outcomes.filter((outcome) => outcome.failure !== undefined).length;
    const unexpected = outcomes.filter((outcome) => !outcome.asExpected);
    if (pipeline.faults) {
      const { requests, faults } = pipeline.faults.stats;
      console.log(
        `\nfaults injected into ${Object.values(faults).reduce((a, b) => a + b, 0)} of ${requests} S3 requests: ${JSON.stringify(faults)}`,
      );
    }
    console.log(
      `\n${uploads.length} uploads in ${seconds.toFixed(1)} s (${(uploads.length / seconds).toFixed(1)}/s): ` +
        `${renditions.length > 1 ? `${thumbnailsMade} uploads made into ${objectsWritten} objects (${renditions.length} renditions each)` : `${thumbnailsMade} thumbnails`}, ` +
        `${recorded} refused and recorded${failureQueue ? ` in ${relative(ROOT, pipeline.queueFile(failureQueue))}` : ''}`,
    );
    if (adopted && configurationBefore) {
      const after = await readNotifications(client, originals);
      const unchanged = JSON.stringify(after) === JSON.stringify(configurationBefore);
      console.log(
        `${originals}: notification configuration ${unchanged ? 'unchanged' : 'CHANGED'} by the run (${describeConfiguration(after)})`,
      );
      const waiting = await photosWithoutThumbnails(client, thumbnails, renditions, existingObjects(adopted.prefix));
      if (waiting.length > 0)
        console.log(
          `${waiting.length} photo(s) were in ${originals} before the stack (${waiting.join(', ')}) and have no thumbnail yet: make backfill LOCAL=1 ENV=${options.env}`,
        );
      if (!unchanged) return 1;
    }
    if (unexpected.length > 0) {
      console.error(
        `local: ${unexpected.length} upload(s) did not end where they should: ${unexpected.map((o) => o.upload.key).join(', ')}`,
      );
      return 1;
    }
    console.log('local: every upload has its thumbnail, or a recorded failure where the sample is meant to be refused');
    return 0;
  } finally {
    client.destroy();
    await pipeline.close();
  }
}

/** The existing photos whose primary rendition is not in the thumbnails bucket. */
async function photosWithoutThumbnails(
  client: S3Client,
  thumbnails: string,
  renditions: readonly Rendition[],
  existing: readonly { key: string; thumbnail: boolean }[],
): Promise<string[]> {
  const missing = await Promise.all(
    existing
      .filter((object) => object.thumbnail)
      .map(async (object) => {
        const [primary] = planRenditionKeys(object.key, renditions);
        const found = await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: primary?.key })).catch(() => undefined);
        return found ? undefined : object.key;
      }),
  );
  return missing.filter((key): key is string => key !== undefined);
}

function printTable(outcomes: readonly UploadOutcome[]) {
  const table = new Table({
    head: ['source key', 'rendition', 'output key', 'size', 'bytes', 'ms', 'result'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const outcome of outcomes) {
    const made = outcome.outputs.some((output) => output.bytes !== undefined);
    const result = `${made ? 'written' : outcome.failure ? `refused: ${outcome.failure}` : 'MISSING'}${outcome.asExpected ? '' : '  <- unexpected'}`;
    outcome.outputs.forEach((output, index) => {
      const first = index === 0;
      table.push([
        first ? outcome.upload.key : '',
        output.rendition,
        output.bytes === undefined ? '-' : output.key,
        output.width === undefined ? '-' : `${output.width}x${output.height}`,
        output.bytes === undefined ? '-' : String(output.bytes),
        first && outcome.ms !== undefined ? String(outcome.ms) : first ? '-' : '',
        first ? result : '',
      ]);
    });
  }
  console.log(table.toString());
}

async function main(): Promise<number> {
  const program = new Command('local')
    .description('Run the synthesized stack on loopback: real S3 server, the packaged functions, S3-style event delivery')
    .option('--env <name>', 'which synthesized environment to run', 'dev')
    .option('--serve', 'keep running for your own uploads until Ctrl-C', false)
    .addOption(new Option('--count <n>', 'also upload this many generated 1200x900 photos').argParser(Number).default(0))
    .addOption(
      new Option('--concurrency <n>', 'execution environments per function').argParser(Number).default(Math.min(4, availableParallelism())),
    )
    .addOption(new Option('--duplicate-rate <share>', 'share of S3 events delivered twice (at least once)').argParser(Number).default(0.05))
    .addOption(new Option('--s3-port <port>', 'S3 server port (default: any free port; 4569 with --serve)').argParser(Number))
    .addOption(new Option('--page-port <port>', "the page's port with --serve (default: any free port)").argParser(Number))
    .option('--fresh', 'start from empty buckets and queues (by default, what earlier runs left stays)', false)
    .option('--logs', "print the functions' own log lines as they write them", false)
    .addOption(
      new Option('--faults <share>', "share of the functions' S3 requests answered with 500/503/SlowDown or stalled")
        .argParser(Number)
        .default(0),
    )
    .parse();
  const options = program.opts<LocalOptions>();
  for (const [name, value] of [
    ['count', options.count],
    ['concurrency', options.concurrency],
    ['duplicate-rate', options.duplicateRate],
    ['faults', options.faults],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  }
  if (options.duplicateRate > 1 || options.faults >= 1) throw new Error('--duplicate-rate must be at most 1 and --faults below 1');
  if (options.serve) {
    await serve(options);
    return 0;
  }
  return runOnce(options);
}

if (isMain(import.meta.url)) runMain('local', main);
