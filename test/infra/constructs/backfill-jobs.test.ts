import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { describe, expect, it } from 'vitest';
import { BackfillJobs } from '../../../infra/constructs/backfill-jobs';
import { BACKFILL_PREFIXES, INVENTORY_PREFIX } from '../../../infra/names';
import type { ResourceEntry } from '../../../scripts/lib/terraform-json';
import { refTo, synthConstruct } from '../../support/construct';

describe('BackfillJobs', () => {
  const scope = synthConstruct((s) => {
    const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
    new BackfillJobs(s, 'backfill', {
      namePrefix: 'p',
      roleName: 'p-backfill',
      accountId: '111122223333',
      function: fn,
      forceDestroy: false,
      retentionDays: 30,
    });
  });
  const bucketArn = () => refTo(scope.only('aws_s3_bucket'), 'arn');

  it('keeps manifests and reports in a private, encrypted, TLS-only bucket of their own, expired after the retention', () => {
    expect(scope.only('aws_s3_bucket').body).toMatchObject({ bucket_prefix: 'p-jobs-', force_destroy: false });
    expect(scope.only('aws_s3_bucket_public_access_block').body).toMatchObject({
      block_public_policy: true,
      restrict_public_buckets: true,
    });
    expect(scope.only('aws_s3_bucket_server_side_encryption_configuration').body).toBeDefined();
    const policy = JSON.parse(scope.only('aws_s3_bucket_policy').body['policy'] as string);
    expect(policy.Statement).toEqual([expect.objectContaining({ Sid: 'DenyInsecureTransport', Effect: 'Deny' })]);
    expect(scope.only('aws_s3_bucket_lifecycle_configuration').body['rule']).toEqual([
      expect.objectContaining({ status: 'Enabled', filter: [{ prefix: 'backfill/' }], expiration: [{ days: 30 }] }),
    ]);
  });

  it('may be assumed by S3 Batch Operations acting for this account only', () => {
    expect(JSON.parse(scope.only('aws_iam_role').body['assume_role_policy'] as string).Statement).toEqual([
      {
        Sid: 'S3BatchOperationsInThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'batchoperations.s3.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      },
    ]);
  });

  it('may invoke the function, read manifests and write reports under their prefixes, nothing else', () => {
    const fnArn = refTo(scope.only('aws_lambda_function'), 'arn');
    expect(JSON.parse(scope.only('aws_iam_role_policy').body['policy'] as string).Statement).toEqual([
      { Sid: 'InvokeThumbnailFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fnArn, `${fnArn}:*`] },
      {
        Sid: 'ReadManifests',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `${bucketArn()}/${BACKFILL_PREFIXES.manifests}*`,
      },
      { Sid: 'WriteReports', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn()}/${BACKFILL_PREFIXES.reports}*` },
      { Sid: 'LocateJobBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn() },
    ]);
  });

  it("with inventoryOf, has S3 deliver that bucket's weekly inventory under the manifests, and lets only it write there", () => {
    const withInventory = synthConstruct((s) => {
      const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
      const originals = new S3Bucket(s, 'originals', { bucketPrefix: 'p-originals-' });
      new BackfillJobs(s, 'backfill', {
        namePrefix: 'p',
        roleName: 'p-backfill',
        accountId: '111122223333',
        function: fn,
        forceDestroy: false,
        retentionDays: 30,
        inventoryOf: { name: originals.id, arn: originals.arn },
      });
    });
    const [originals, jobs] = ['p-originals-', 'p-jobs-'].map((prefix) =>
      withInventory.all('aws_s3_bucket').find((bucket) => bucket.body['bucket_prefix'] === prefix),
    ) as [ResourceEntry, ResourceEntry];
    expect(withInventory.only('aws_s3_bucket_inventory').body).toMatchObject({
      bucket: refTo(originals, 'id'),
      included_object_versions: 'Current',
      destination: { bucket: { bucket_arn: refTo(jobs, 'arn'), format: 'CSV', prefix: INVENTORY_PREFIX } },
    });
    expect(INVENTORY_PREFIX.startsWith(BACKFILL_PREFIXES.manifests)).toBe(true);
    const statements = JSON.parse(withInventory.only('aws_s3_bucket_policy').body['policy'] as string).Statement;
    expect(statements[1]).toEqual({
      Sid: 'S3InventoryOfTheOriginals',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${refTo(jobs, 'arn')}/${INVENTORY_PREFIX}/*`,
      Condition: { ArnLike: { 'aws:SourceArn': refTo(originals, 'arn') }, StringEquals: { 'aws:SourceAccount': '111122223333' } },
    });
  });

  it('has no inventory unless asked', () => {
    expect(scope.all('aws_s3_bucket_inventory')).toEqual([]);
  });
});
