/**
 * Backfills on AWS: finding what a job needs in a deployed stack (the function's ARN and originals
 * bucket from the function itself, the job bucket by its prefix, the Batch role by its name), the
 * originals' S3 Inventory when one delivers into the job bucket, and the CreateJob request.
 */

import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  HeadObjectCommand,
  ListBucketInventoryConfigurationsCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateJobCommand, type CreateJobCommandInput, DescribeJobCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { suffixArguments } from '../../handlers/thumbnail/batch';
import { ENV } from '../../handlers/thumbnail/constants';
import { BACKFILL_PREFIXES, jobBucketPrefix, resourceNames } from '../../infra/names';
import { MANIFEST_FIELDS, MANIFEST_FORMAT } from './manifest';
import { REPORT_FORMAT } from './report';

export interface AwsBackfillTarget {
  readonly accountId: string;
  readonly functionArn: string;
  readonly originals: string;
  readonly jobBucket: string;
  readonly roleArn: string;
}

export class BackfillSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillSetupError';
  }
}

/** What the deployed stack of `namePrefix` offers a backfill job. */
export async function resolveAwsTarget(clients: { lambda: LambdaClient; s3: S3Client }, namePrefix: string): Promise<AwsBackfillTarget> {
  const names = resourceNames(namePrefix);
  const fn = await clients.lambda
    .send(new GetFunctionConfigurationCommand({ FunctionName: names.thumbnailFunction }))
    .catch((error: Error) => {
      throw new BackfillSetupError(
        `cannot read the function ${names.thumbnailFunction} (${error.name}): is the stack deployed (make deploy)?`,
      );
    });
  const functionArn = fn.FunctionArn ?? '';
  const accountId = functionArn.split(':')[4] ?? '';
  const originals = fn.Environment?.Variables?.[ENV.sourceBucket];
  if (!originals) throw new BackfillSetupError(`${names.thumbnailFunction} has no ${ENV.sourceBucket}: redeploy the stack`);
  const prefix = jobBucketPrefix(namePrefix);
  const buckets = (await clients.s3.send(new ListBucketsCommand({ Prefix: prefix }))).Buckets ?? [];
  const jobBuckets = buckets.map((bucket) => bucket.Name ?? '').filter((name) => name.startsWith(prefix));
  if (jobBuckets.length !== 1)
    throw new BackfillSetupError(
      jobBuckets.length === 0
        ? `no job bucket ${prefix}*: deploy the stack with backfill.enabled (the default)`
        : `several buckets ${prefix}*: ${jobBuckets.join(', ')}`,
    );
  return {
    accountId,
    functionArn,
    originals,
    jobBucket: jobBuckets[0] as string,
    roleArn: `arn:aws:iam::${accountId}:role/${names.backfillRole}`,
  };
}

/** The newest inventory manifest.json the originals bucket delivers into the job bucket's manifests, if it has one. */
export async function latestInventoryManifest(s3: S3Client, target: AwsBackfillTarget): Promise<{ key: string; etag: string } | undefined> {
  const listed = await s3.send(new ListBucketInventoryConfigurationsCommand({ Bucket: target.originals })).catch(() => undefined);
  for (const configuration of listed?.InventoryConfigurationList ?? []) {
    const destination = configuration.Destination?.S3BucketDestination;
    if (!configuration.IsEnabled || destination?.Format !== 'CSV' || destination.Bucket !== `arn:aws:s3:::${target.jobBucket}`) continue;
    // S3 delivers to <prefix>/<source bucket>/<configuration id>/<YYYY-MM-DDTHH-MMZ>/manifest.json.
    const base = `${destination.Prefix ? `${destination.Prefix}/` : ''}${target.originals}/${configuration.Id}/`;
    if (!base.startsWith(BACKFILL_PREFIXES.manifests)) continue;
    const manifests: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: target.jobBucket, Prefix: base, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('/manifest.json')) manifests.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const key = manifests.sort().pop();
    if (!key) continue;
    const head = await s3.send(new HeadObjectCommand({ Bucket: target.jobBucket, Key: key }));
    return { key, etag: head.ETag ?? '' };
  }
  return undefined;
}

export interface JobRequest {
  readonly target: AwsBackfillTarget;
  /** The manifest in the job bucket: a CSV this tool wrote, or an S3 Inventory manifest.json. */
  readonly manifest: { readonly key: string; readonly etag: string; readonly inventory: boolean };
  readonly suffixes: readonly string[];
  /** The suffixes match in any case (an EventBridge trigger's). */
  readonly ignoreCase?: boolean;
  /** Start at once (`--yes`), or wait in Suspended until confirmed. */
  readonly confirmed: boolean;
  readonly clientRequestToken: string;
  readonly description: string;
}

/** CreateJob for a backfill: LambdaInvoke (schema 2.0, the suffixes as a user argument), a report of failed tasks. Pure. */
export function createJobInput(request: JobRequest): CreateJobCommandInput {
  const { target, manifest } = request;
  return {
    AccountId: target.accountId,
    ConfirmationRequired: !request.confirmed,
    ClientRequestToken: request.clientRequestToken,
    Description: request.description.slice(0, 256),
    Priority: 10,
    RoleArn: target.roleArn,
    Operation: {
      LambdaInvoke: {
        FunctionArn: target.functionArn,
        InvocationSchemaVersion: '2.0',
        UserArguments: suffixArguments(request.suffixes, request.ignoreCase ?? false),
      },
    },
    Manifest: {
      Spec: manifest.inventory ? { Format: 'S3InventoryReport_CSV_20161130' } : { Format: MANIFEST_FORMAT, Fields: [...MANIFEST_FIELDS] },
      Location: { ObjectArn: `arn:aws:s3:::${target.jobBucket}/${manifest.key}`, ETag: manifest.etag.replace(/"/g, '') },
    },
    Report: {
      Bucket: `arn:aws:s3:::${target.jobBucket}`,
      Prefix: BACKFILL_PREFIXES.reports.replace(/\/$/, ''),
      Format: REPORT_FORMAT,
      Enabled: true,
      ReportScope: 'FailedTasksOnly',
    },
  };
}

export async function createJob(s3control: S3ControlClient, input: CreateJobCommandInput): Promise<string> {
  const created = await s3control.send(new CreateJobCommand(input));
  if (!created.JobId) throw new Error('CreateJob answered without a job id');
  return created.JobId;
}

export async function describeJob(s3control: S3ControlClient, accountId: string, jobId: string) {
  const described = await s3control.send(new DescribeJobCommand({ AccountId: accountId, JobId: jobId }));
  if (!described.Job) throw new Error(`no job ${jobId}`);
  return described.Job;
}
