/**
 * `make backfill`: thumbnails for the images already in the originals bucket.
 *
 * On AWS, an S3 Batch Operations job (LambdaInvoke, one synchronous invocation per object, retries,
 * a completion report of failed tasks): the manifest is the originals' S3 Inventory when one is
 * delivered into the job bucket, else a listing of the trigger's suffixes under PREFIX=, written to
 * the job bucket. The job waits for confirmation unless `--yes`; `--dry-run` stops after counting
 * and estimating. `--local` runs the same contract against the local stack.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { type StackConfig, type TriggerFilter, triggerFilterOf } from '../infra/config';
import { readEnvironment } from '../infra/environments-file';
import { BACKFILL_PREFIXES, jobBucketPrefix } from '../infra/names';
import { ROOT } from '../lib/paths';
import { createJob, createJobInput, latestInventoryManifest, resolveAwsTarget } from './backfill/aws-job';
import { type BackfillProgress, listOriginals, runLocalBackfill } from './backfill/local-run';
import { manifestCsv } from './backfill/manifest';
import { backfillExitCode, describeRefused, summarizeReport } from './backfill/report';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, onInterrupt, runMain } from './lib/cli';
import { BATCH_PRICES, type BackfillCost, backfillCost, LAMBDA_PRICES, type Measured, REFERENCE_12MP, S3_REQUEST_PRICES } from './lib/cost';
import { connectLocalStack } from './local/connect';
import { localBucketName } from './local/stack-model';

interface Options {
  env: string;
  prefix?: string;
  local: boolean;
  concurrency: number;
  yes: boolean;
  dryRun: boolean;
}

const usd = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(0)}`;

/** The 12 MP measurement the estimate uses: the last `make bench` here, else the reference figure. */
function measurement(): Measured & { source: string } {
  const results = join(ROOT, '.bench', 'results.json');
  if (existsSync(results)) {
    const measured = (JSON.parse(readFileSync(results, 'utf8')) as { packaged?: { measured?: Measured } }).packaged?.measured;
    if (measured) return { ...measured, source: '.bench/results.json (make bench)' };
  }
  return { ...REFERENCE_12MP, source: `make bench on ${REFERENCE_12MP.measuredOn}` };
}

export function describeCost(cost: BackfillCost, config: StackConfig, measured: Measured & { source: string }): string[] {
  return [
    `estimated cost of ${cost.objects.toLocaleString('en-US')} objects (12 MP-like images, ${config.thumbnail.memoryMB} MB ${config.architecture}): ~${usd(cost.total)}`,
    `  S3 Batch Operations ${usd(cost.batch)} ($${BATCH_PRICES.perJob} per job + $${BATCH_PRICES.perMillionObjects} per million objects)`,
    `  Lambda ${usd(cost.lambda)} (CPU ${measured.cpuMs} ms and wall ${measured.wallMs} ms per image on a full core, from ${measured.source}; ` +
      `$${LAMBDA_PRICES.perGbSecond[config.architecture]}/GB-s, $${LAMBDA_PRICES.perMillionRequests} per million requests)`,
    `  S3 requests ${usd(cost.s3Requests)} (3 GET-class + 1 PUT per object: $${S3_REQUEST_PRICES.perThousandGet} and $${S3_REQUEST_PRICES.perThousandPut} per 1,000)`,
    `  prices: us-east-1, as of ${LAMBDA_PRICES.asOf}; images already thumbnailed cost the HEADs and the invocation only`,
  ];
}

function progressBar(label: string) {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | ok {ok}, retry {retry}, failed {failed}`,
      noTTYOutput: true,
      notTTYSchedule: 3000,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  // Drawn from the first progress on, once the number of tasks is known (not as "0/0 | ETA 0s").
  let drawn = false;
  return {
    update(progress: BackfillProgress) {
      const seconds = (performance.now() - started) / 1000;
      if (!drawn) {
        if (progress.total === 0) return;
        bar.start(progress.total, 0, { rate: '0.0', ok: 0, retry: 0, failed: 0 });
        drawn = true;
      }
      if (bar.getTotal() !== progress.total) bar.setTotal(progress.total);
      bar.update(progress.done, {
        rate: (progress.done / Math.max(seconds, 0.001)).toFixed(1),
        ok: progress.counts.Succeeded,
        retry: progress.counts.TemporaryFailure,
        failed: progress.counts.PermanentFailure,
      });
    },
    stop: () => {
      if (drawn) bar.stop();
    },
  };
}

/**
 * The keys a backfill lists: the trigger's (its suffixes, in any case where the trigger ignores
 * case, under an adopted bucket's prefix), narrowed by PREFIX=, which must then lie under it.
 */
export function backfillFilter(config: StackConfig, prefix: string | undefined): TriggerFilter {
  const filter = triggerFilterOf(config);
  if (prefix === undefined) return filter;
  if (filter.prefix !== undefined && !prefix.startsWith(filter.prefix))
    throw new Error(`PREFIX=${prefix} is outside ${filter.prefix}, the only part of the bucket the function serves`);
  return { ...filter, prefix };
}

const describeFilter = (filter: TriggerFilter) =>
  `${filter.prefix ? ` under ${filter.prefix}` : ''} ending in ${filter.suffixes.join(', ')}${filter.ignoreCase ? ' (in any case)' : ''}`;

async function runLocal(options: Options, config: StackConfig): Promise<number> {
  const filter = backfillFilter(config, options.prefix);
  const local = await connectLocalStack(options.env, { command: 'make backfill LOCAL=1', concurrency: options.concurrency });
  try {
    if (local.attached) console.log(`backfill: using the running local stack (pid ${local.attached.pid})`);
    const jobBucket = local.model.buckets
      .map((bucket) => bucket.localName)
      .find((name) => name === localBucketName({ bucket_prefix: jobBucketPrefix(config.namePrefix) }));
    if (!jobBucket) throw new Error(`the stack has no job bucket: backfill.enabled is false for ${options.env}`);
    if (options.dryRun) {
      const keys = await listOriginals(local.s3, local.originals, filter);
      console.log(`backfill: ${keys.length} object(s) in ${local.originals}${describeFilter(filter)}`);
      for (const line of describeCost(
        backfillCost(keys.length, measurement(), config.thumbnail.memoryMB, config.architecture),
        config,
        measurement(),
      ))
        console.log(line);
      console.log('dry run: nothing invoked');
      return 0;
    }
    let stopping = false;
    let finished: Promise<unknown> = Promise.resolve();
    const release = onInterrupt(async () => {
      stopping = true;
      console.error('\nbackfill: stopping after the tasks under way; the report will list what ran (run it again to continue)');
      await finished;
      return 130;
    });
    const bar = progressBar('backfill');
    const run = runLocalBackfill(
      {
        s3: local.s3,
        lambda: local.lambda,
        functionName: local.functionModel('thumbnail').functionName,
        originals: local.originals,
        jobBucket,
      },
      {
        ...filter,
        concurrency: options.concurrency,
        onProgress: (progress) => bar.update(progress),
        stop: () => stopping,
      },
    );
    finished = run.catch(() => undefined);
    const result = await run.finally(() => {
      bar.stop();
      release();
    });
    const summary = summarizeReport(result.rows);
    console.log(
      `backfill ${result.jobId}: ${summary.tasks}${result.stopped ? ` of ${result.total}` : ''} task(s): ${summary.succeeded} succeeded, ${summary.failed} failed`,
    );
    for (const group of summary.byOutcome)
      console.log(`  ${String(group.count).padStart(6)}  ${group.code}  ${group.outcome}  (e.g. ${group.example})`);
    console.log(`report: s3://${jobBucket}/${result.reportKey} (Batch's CSV format; make backfill-status LOCAL=1 JOB=${result.jobId})`);
    const refused = describeRefused(summary);
    if (refused) console.log(refused);
    if (result.stopped) console.log('stopped: run make backfill LOCAL=1 again; objects already done are skipped by the function');
    else if (result.counts.TemporaryFailure > 0)
      console.log('some tasks failed transiently: run make backfill LOCAL=1 again (done objects are skipped)');
    return result.stopped ? 130 : backfillExitCode(summary);
  } finally {
    await local.close();
  }
}

async function runOnAws(options: Options, config: StackConfig): Promise<number> {
  // Stop before reading or writing anything when there is no way to sign a request.
  await checkCredentials();
  const filter = backfillFilter(config, options.prefix);
  const s3 = new S3Client({ region: config.region });
  const lambda = new LambdaClient({ region: config.region });
  const s3control = new S3ControlClient({ region: config.region });
  try {
    const target = await resolveAwsTarget({ lambda, s3 }, config.namePrefix);
    const measured = measurement();
    // An inventory lists the whole bucket: it stands for a listing only when no prefix narrows it.
    const inventory = filter.prefix === undefined ? await latestInventoryManifest(s3, target) : undefined;
    let manifest: { key: string; etag: string; inventory: boolean };
    let count: number | undefined;
    if (inventory) {
      console.log(`backfill: the manifest is the originals' S3 Inventory, s3://${target.jobBucket}/${inventory.key}`);
      console.log('  (every object it lists is a task; keys not ending in the trigger suffixes succeed as skipped)');
      manifest = { ...inventory, inventory: true };
    } else {
      const bar = new SingleBar({ format: 'listing {value} object(s)', noTTYOutput: true, notTTYSchedule: 3000 }, Presets.shades_classic);
      bar.start(0, 0);
      const keys = await listOriginals(s3, target.originals, { ...filter, onPage: (listed) => bar.update(listed) }).finally(() =>
        bar.stop(),
      );
      count = keys.length;
      console.log(`backfill: ${count} object(s) in ${target.originals}${describeFilter(filter)}`);
      if (count === 0) {
        console.log('nothing to backfill');
        return 0;
      }
      const key = `${BACKFILL_PREFIXES.manifests}${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
      if (!options.dryRun) {
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: target.jobBucket,
            Key: key,
            Body: manifestCsv(keys.map((object) => ({ bucket: target.originals, key: object }))),
            ContentType: 'text/csv',
          }),
        );
        manifest = { key, etag: put.ETag ?? '', inventory: false };
      } else manifest = { key, etag: '', inventory: false };
    }
    if (count !== undefined)
      for (const line of describeCost(backfillCost(count, measured, config.thumbnail.memoryMB, config.architecture), config, measured))
        console.log(line);
    else
      for (const line of describeCost(backfillCost(1_000_000, measured, config.thumbnail.memoryMB, config.architecture), config, measured))
        console.log(line.replace('1,000,000 objects', 'every million objects'));
    if (options.dryRun) {
      console.log('dry run: no manifest written, no job created');
      return 0;
    }
    const jobId = await createJob(
      s3control,
      createJobInput({
        target,
        manifest,
        suffixes: filter.suffixes,
        ignoreCase: filter.ignoreCase,
        confirmed: options.yes,
        // The same manifest never makes two jobs, however often this is run.
        clientRequestToken: createHash('sha256').update(`${manifest.key} ${manifest.etag}`).digest('hex').slice(0, 64),
        description: `thumbnail backfill of ${target.originals}${filter.prefix ? `/${filter.prefix}` : ''} (${options.env})`,
      }),
    );
    console.log(
      `job ${jobId} created${count === undefined ? '' : ` for ${count} object(s)`}; report of failed tasks: s3://${target.jobBucket}/${BACKFILL_PREFIXES.reports}job-${jobId}/`,
    );
    if (!options.yes)
      console.log(
        `it waits for confirmation once Batch has read the manifest: make backfill-status JOB=${jobId} ARGS=--confirm (or re-run with ARGS=--yes)`,
      );
    console.log(`follow it: make backfill-status JOB=${jobId}${options.env === 'dev' ? '' : ` ENV=${options.env}`}`);
    return 0;
  } finally {
    s3.destroy();
    lambda.destroy();
    s3control.destroy();
  }
}

async function main(): Promise<number> {
  const options = new Command('backfill')
    .description('Thumbnails for the images already in the originals bucket (S3 Batch Operations; --local on the local stack)')
    .option('--env <name>', 'environment', 'dev')
    .option('--prefix <prefix>', 'only keys under this prefix (a listing, not the inventory)')
    .option('--local', 'run against the local stack (make local), invoking the packaged function with Batch events', false)
    .addOption(new Option('--concurrency <n>', 'invocations at once, with --local').argParser(Number).default(4))
    .option('--yes', 'start the job without waiting for confirmation', false)
    .option('--dry-run', 'count and estimate; create nothing', false)
    .parse()
    .opts<Options>();
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error('--concurrency must be a positive integer');
  const config = readEnvironment(options.env);
  if (!config.backfill.enabled) throw new Error(`backfills are disabled for ${options.env} (backfill.enabled: false)`);
  return options.local ? runLocal(options, config) : runOnAws(options, config);
}

if (isMain(import.meta.url)) runMain('backfill', main);
