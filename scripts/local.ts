/**
 * `make local`: the synthesized stack on this machine. Uploads the project's generated sample
 * images (plus `--count N` photos), waits for every event, prints a table, and exits 0 when every
 * upload ended where it should: a thumbnail, or (for the samples meant to be refused) a recorded
 * failure. `--serve` keeps it running for your own uploads until Ctrl-C.
 */

import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MultiBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { DEFAULTS, ENV } from '../handlers/thumbnail/constants';
import { planThumbnailKeys } from '../handlers/thumbnail/keys';
import { stackName } from '../infra/names';
import { PATHS, ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';
import { photoJpeg, SAMPLES } from './lib/samples';
import { LOCAL_RETRY_DELAYS_MS } from './local/async-invoke';
import { lambdaNodeBinary } from './local/function-runner';
import { type Delivery, LocalPipeline } from './local/pipeline';
import { writtenThumbnails } from './local/reports';
import { LOCAL_CREDENTIALS } from './local/s3-server';

export interface Upload {
  readonly key: string;
  readonly description: string;
  readonly expectThumbnail: boolean;
  readonly bytes: () => Promise<Buffer>;
}

export interface UploadOutcome {
  readonly upload: Upload;
  readonly thumbnailKey: string;
  readonly thumbnailBytes?: number;
  readonly width?: number;
  readonly height?: number;
  readonly ms?: number;
  /** errorType of the recorded failure, when there is one. */
  readonly failure?: string;
  readonly asExpected: boolean;
}

/** The samples, plus `count` generated photos under nested, awkward keys. */
export function plannedUploads(count: number): Upload[] {
  const photos = Array.from(
    { length: count },
    (_, i): Upload => ({
      key: `load/${String(i % 10).padStart(2, '0')}/photo ${i} (${i % 3 === 0 ? 'a+b' : 'ü'}).jpg`,
      description: 'generated 1200x900 photo',
      expectThumbnail: true,
      bytes: () => photoJpeg(1200, 900, { seed: 100 + i }),
    }),
  );
  return [
    ...SAMPLES.map((sample) => ({
      key: sample.key,
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
  keepData: boolean;
  faults: number;
}

async function startPipeline(options: LocalOptions) {
  const stack = stackName(options.env);
  const node = lambdaNodeBinary();
  console.log(
    `local: stack ${stack}; functions run on Node.js ${node.version}${node.version.startsWith('24.') ? '' : ' (Lambda runs 24: `make lambda-node`)'}`,
  );
  const pipeline = await LocalPipeline.startEnvironment(options.env, {
    reset: !options.keepData,
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
  const widths = thumbnailFn.environment[ENV.widths]?.split(',').map(Number) ?? [...DEFAULTS.widths];
  const failureQueue = pipeline.model.queues[0]?.name;
  console.log(
    `local: S3 ${pipeline.s3.endpoint} (data in ${relative(ROOT, join(PATHS.local, 's3'))}), buckets ${originals} -> ${thumbnails}`,
  );
  return { pipeline, originals, thumbnails, widths, failureQueue };
}

async function serve(options: LocalOptions) {
  const { pipeline, originals, thumbnails, failureQueue } = await startPipeline({ ...options, s3Port: options.s3Port ?? 4569 });
  pipeline.onDelivery((delivery) => console.log(describeDelivery(delivery)));
  const endpoint = pipeline.s3.endpoint;
  console.log(
    [
      '',
      'The pipeline is running. In another terminal:',
      '',
      `  export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_DEFAULT_REGION=${pipeline.model.region}`,
      `  aws s3 cp --endpoint-url ${endpoint} photo.jpg s3://${originals}/photos/photo.jpg`,
      `  aws s3 ls --endpoint-url ${endpoint} s3://${thumbnails}/photos/`,
      '',
      `  originals bucket   ${originals}`,
      `  thumbnails bucket  ${thumbnails}`,
      ...(failureQueue ? [`  failures           ${relative(ROOT, pipeline.queueFile(failureQueue))}`] : []),
      '',
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nlocal: stopping...');
  await pipeline.idle();
  await pipeline.close();
}

export function describeDelivery(delivery: Delivery): string {
  const { result } = delivery;
  const prefix = `${delivery.eventName} ${delivery.bucket}/${delivery.key}${delivery.duplicate ? ' (duplicate delivery)' : ''}`;
  if (!result.ok) {
    const error = result.report?.error;
    return `${prefix} -> failed after ${result.attempts} attempt(s): ${error?.errorType}: ${error?.errorMessage}${result.destinationRecord ? ' (recorded)' : ''}`;
  }
  const summary = result.report?.result as { written?: number; skipped?: number; failed?: number; deleted?: number } | undefined;
  const written = writtenThumbnails(result.report).flatMap((line) => line.outputs.map((o) => `${o.key} ${o.width}x${o.height}`));
  if (written.length > 0) return `${prefix} -> ${written.join(', ')}`;
  return `${prefix} -> ${JSON.stringify(summary)}`;
}

async function runOnce(options: LocalOptions): Promise<number> {
  const { pipeline, originals, thumbnails, widths, failureQueue } = await startPipeline(options);
  const client = pipeline.s3Client();
  try {
    const uploads = plannedUploads(options.count);
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
        const thumbnailKey = planThumbnailKeys(upload.key, widths)[0]?.key ?? '';
        const head = await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: thumbnailKey })).catch(() => undefined);
        const written = pipeline.deliveries
          .filter((delivery) => delivery.key === upload.key)
          .flatMap((delivery) => writtenThumbnails(delivery.result.report))
          .flatMap((line) =>
            line.outputs.filter((output) => output.key === thumbnailKey).map((output) => ({ ...output, ms: line.ms.total })),
          )[0];
        const failure = failures.find((record) => record.responsePayload?.key === upload.key)?.responsePayload?.errorType;
        const hasThumbnail = head !== undefined;
        return {
          upload,
          thumbnailKey,
          ...(head?.ContentLength === undefined ? {} : { thumbnailBytes: head.ContentLength }),
          ...(written ? { width: written.width, height: written.height, ms: written.ms } : {}),
          ...(failure ? { failure } : {}),
          asExpected: upload.expectThumbnail ? hasThumbnail : !hasThumbnail && failure !== undefined,
        };
      }),
    );
    printTable(outcomes);
    const thumbnailsMade = outcomes.filter((outcome) => outcome.thumbnailBytes !== undefined).length;
    const recorded = outcomes.filter((outcome) => outcome.failure !== undefined).length;
    const unexpected = outcomes.filter((outcome) => !outcome.asExpected);
    if (pipeline.faults) {
      const { requests, faults } = pipeline.faults.stats;
      console.log(
        `\nfaults injected into ${Object.values(faults).reduce((a, b) => a + b, 0)} of ${requests} S3 requests: ${JSON.stringify(faults)}`,
      );
    }
    console.log(
      `\n${uploads.length} uploads in ${seconds.toFixed(1)} s (${(uploads.length / seconds).toFixed(1)}/s): ${thumbnailsMade} thumbnails, ` +
        `${recorded} refused and recorded${failureQueue ? ` in ${relative(ROOT, pipeline.queueFile(failureQueue))}` : ''}`,
    );
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

function printTable(outcomes: readonly UploadOutcome[]) {
  const table = new Table({
    head: ['source key', 'thumbnail key', 'size', 'bytes', 'ms', 'result'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const outcome of outcomes) {
    const made = outcome.thumbnailBytes !== undefined;
    table.push([
      outcome.upload.key,
      made ? outcome.thumbnailKey : '-',
      outcome.width === undefined ? '-' : `${outcome.width}x${outcome.height}`,
      made ? String(outcome.thumbnailBytes) : '-',
      outcome.ms === undefined ? '-' : String(outcome.ms),
      `${made ? 'thumbnail' : outcome.failure ? `refused: ${outcome.failure}` : 'MISSING'}${outcome.asExpected ? '' : '  <- unexpected'}`,
    ]);
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
    .option('--keep-data', 'keep objects and queues from the previous run', false)
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
