import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3BucketInventory } from '@cdktf/provider-aws/lib/s3-bucket-inventory';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { BACKFILL_PREFIXES, INVENTORY_PREFIX, jobBucketPrefix } from '../names';
import { backfillJobPolicy, batchOperationsTrustPolicy, jobBucketPolicy } from '../policies';
import { HardenedBucket } from './hardened-bucket';

export interface BackfillJobsProps {
  readonly namePrefix: string;
  readonly roleName: string;
  readonly accountId: string;
  /** The function every job invokes, once per object. */
  readonly function: LambdaFunction;
  readonly forceDestroy: boolean;
  readonly retentionDays: number;
  /**
   * Have S3 deliver this bucket's weekly inventory into the job bucket, as the manifest of large
   * backfills (on an adopted bucket, only when its config asks: it adds a configuration to it).
   */
  readonly inventoryOf?: { readonly name: string; readonly arn: string };
}

/**
 * What S3 Batch Operations needs to backfill thumbnails: a private, TLS-only job bucket for
 * manifests and completion reports (expired after `retentionDays`), and a role only Batch
 * Operations in this account can assume, allowed to invoke the function, read manifests and write
 * reports, nothing else.
 */
export class BackfillJobs extends Construct {
  readonly bucket: HardenedBucket;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: BackfillJobsProps) {
    super(scope, id);
    this.bucket = new HardenedBucket(this, 'job-bucket', {
      bucketPrefix: jobBucketPrefix(props.namePrefix),
      forceDestroy: props.forceDestroy,
      versioning: false,
    });
    const inventory = props.inventoryOf && { sourceBucketArn: props.inventoryOf.arn, accountId: props.accountId, prefix: INVENTORY_PREFIX };
    const bucketPolicy = new S3BucketPolicy(this, 'job-bucket-policy', {
      bucket: this.bucket.bucket.id,
      policy: JSON.stringify(jobBucketPolicy(this.bucket.bucket.arn, inventory)),
      dependsOn: [this.bucket.publicAccessBlock],
    });
    if (props.inventoryOf) {
      new S3BucketInventory(this, 'originals-inventory', {
        bucket: props.inventoryOf.name,
        name: 'backfill',
        includedObjectVersions: 'Current',
        schedule: { frequency: 'Weekly' },
        optionalFields: ['Size', 'ETag', 'LastModifiedDate'],
        destination: { bucket: { bucketArn: this.bucket.bucket.arn, format: 'CSV', prefix: INVENTORY_PREFIX, accountId: props.accountId } },
        // S3 checks on creation that it may deliver.
        dependsOn: [bucketPolicy],
      });
    }
    new S3BucketLifecycleConfiguration(this, 'job-bucket-expiry', {
      bucket: this.bucket.bucket.id,
      rule: [
        {
          id: 'expire-backfill-files',
          status: 'Enabled',
          filter: [{ prefix: 'backfill/' }],
          expiration: [{ days: props.retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'Assumed by S3 Batch Operations for thumbnail backfills (make backfill)',
      assumeRolePolicy: JSON.stringify(batchOperationsTrustPolicy(props.accountId)),
      maxSessionDuration: 3600,
    });
    new IamRolePolicy(this, 'policy', {
      name: 'backfill-job',
      role: this.role.id,
      policy: JSON.stringify(
        backfillJobPolicy({
          functionArn: props.function.arn,
          jobBucketArn: this.bucket.bucket.arn,
          manifestsPrefix: BACKFILL_PREFIXES.manifests,
          reportsPrefix: BACKFILL_PREFIXES.reports,
        }),
      ),
    });
  }
}
