/**
 * `make backfill-status JOB=…`: where a backfill stands. On AWS, the Batch job's status and
 * progress, and once it is complete, a summary of its completion report (failed tasks); `--confirm`
 * starts a job that waits for confirmation. With `--local`, the report of a `make backfill LOCAL=1` run.
 */

import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client as S3, type S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient, UpdateJobStatusCommand } from '@aws-sdk/client-s3-control';
import { Command } from 'commander';
import { readEnvironment } from '../infra/environments-file';
import { BACKFILL_PREFIXES, jobBucketPrefix } from '../infra/names';
import { describeJob, resolveAwsTarget } from './backfill/aws-job';
import { backfillExitCode, describeRefused, type ReportManifest, type ReportRow, readReportCsv, summarizeReport } from './backfill/report';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, runMain } from './lib/cli';
import { connectLocalStack } from './local/connect';
import { localBucketName } from './local/stack-model';

interface Options {
  env: string;
  job: string;
  local: boolean;
  confirm: boolean;
}

async function text(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Every row of a job's completion report, or undefined when there is no report (yet). */
export async function readReport(s3: S3Client, bucket: string, jobId: string): Promise<ReportRow[] | undefined> {
  const manifest = await text(s3, bucket, `${BACKFILL_PREFIXES.reports}job-${jobId}/manifest.json`);
  if (manifest === undefined) return undefined;
  const rows: ReportRow[] = [];
  for (const result of (JSON.parse(manifest) as ReportManifest).Results)
    rows.push(...readReportCsv((await text(s3, result.Bucket.replace(/^arn:aws[a-z-]*:s3:::/, ''), result.Key)) ?? ''));
  return rows;
}

function printSummary(rows: readonly ReportRow[], scope: string) {
  const summary = summarizeReport(rows);
  console.log(`report (${scope}): ${summary.tasks} task(s), ${summary.succeeded} succeeded, ${summary.failed} failed`);
  for (const group of summary.byOutcome)
    console.log(`  ${String(group.count).padStart(6)}  ${group.code}  ${group.outcome}  (e.g. ${group.example})`);
  const refused = describeRefused(summary);
  if (refused) console.log(refused);
}

async function main(): Promise<number> {
  const options = new Command('backfill-status')
    .description('Where a backfill stands: job status and progress, and a summary of its report')
    .option('--env <name>', 'environment', 'dev')
    .requiredOption('--job <id>', 'the job id make backfill printed')
    .option('--local', 'a make backfill LOCAL=1 run', false)
    .option('--confirm', 'start a job that waits for confirmation', false)
    .parse()
    .opts<Options>();
  const config = readEnvironment(options.env);
  if (options.local) {
    const local = await connectLocalStack(options.env, { command: 'make backfill-status LOCAL=1' });
    try {
      const rows = await readReport(local.s3, localBucketName({ bucket_prefix: jobBucketPrefix(config.namePrefix) }), options.job);
      if (!rows) throw new Error(`no report for local job ${options.job}: the job ids are printed by make backfill LOCAL=1`);
      printSummary(rows, 'every task');
      return backfillExitCode(summarizeReport(rows));
    } finally {
      await local.close();
    }
  }
  await checkCredentials();
  const s3 = new S3({ region: config.region });
  const lambda = new LambdaClient({ region: config.region });
  const s3control = new S3ControlClient({ region: config.region });
  try {
    const target = await resolveAwsTarget({ lambda, s3 }, config.namePrefix);
    let job = await describeJob(s3control, target.accountId, options.job);
    if (options.confirm) {
      if (job.Status !== 'Suspended') throw new Error(`job ${options.job} is ${job.Status}, not waiting for confirmation`);
      await s3control.send(new UpdateJobStatusCommand({ AccountId: target.accountId, JobId: options.job, RequestedJobStatus: 'Ready' }));
      console.log(`job ${options.job} confirmed`);
      job = await describeJob(s3control, target.accountId, options.job);
    }
    const progress = job.ProgressSummary;
    const total = progress?.TotalNumberOfTasks ?? 0;
    const done = (progress?.NumberOfTasksSucceeded ?? 0) + (progress?.NumberOfTasksFailed ?? 0);
    console.log(
      `job ${options.job}: ${job.Status}; ${done}/${total} task(s) done (${progress?.NumberOfTasksSucceeded ?? 0} succeeded, ${progress?.NumberOfTasksFailed ?? 0} failed)` +
        `${progress?.Timers?.ElapsedTimeInActiveSeconds ? `, ${progress.Timers.ElapsedTimeInActiveSeconds} s active` : ''}`,
    );
    for (const reason of job.FailureReasons ?? []) console.log(`  job failure: ${reason.FailureCode}: ${reason.FailureReason}`);
    if (job.Status === 'Suspended') console.log(`  waiting for confirmation: make backfill-status JOB=${options.job} ARGS=--confirm`);
    if (job.Status === 'Complete' || job.Status === 'Failed' || job.Status === 'Cancelled') {
      const rows = await readReport(s3, target.jobBucket, options.job);
      if (rows) printSummary(rows, 'failed tasks only');
      else console.log('  no completion report (every task succeeded, or the job never started)');
    }
    return job.Status === 'Failed' ? 1 : 0;
  } finally {
    s3.destroy();
    lambda.destroy();
    s3control.destroy();
  }
}

if (isMain(import.meta.url)) runMain('backfill-status', main);
