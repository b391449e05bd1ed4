import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { originalsBucketPolicy, thumbnailsBucketPolicy } from '../policies';
import { HardenedBucket } from './hardened-bucket';

export interface ImageBucketsProps {
  readonly namePrefix: string;
  /** False when the originals are an adopted bucket the stack must not manage: then only thumbnails is created. */
  readonly createOriginals: boolean;
  readonly forceDestroy: boolean;
  readonly originalsVersioning: boolean;
}

/**
 * The two buckets, kept apart so that writing a thumbnail can never trigger the function:
 * uploads go to originals, the function writes thumbnails. With an adopted originals bucket, only
 * the thumbnails bucket is the stack's.
 */
export class ImageBuckets extends Construct {
  readonly originals: HardenedBucket | undefined;
  readonly thumbnails: HardenedBucket;

  constructor(scope: Construct, id: string, props: ImageBucketsProps) {
    super(scope, id);
    this.originals = props.createOriginals
      ? new HardenedBucket(this, 'originals', {
          bucketPrefix: `${props.namePrefix}-originals-`,
          forceDestroy: props.forceDestroy,
          versioning: props.originalsVersioning,
        })
      : undefined;
    this.thumbnails = new HardenedBucket(this, 'thumbnails', {
      bucketPrefix: `${props.namePrefix}-thumbnails-`,
      forceDestroy: props.forceDestroy,
      versioning: false,
    });
  }

  /** TLS-only policies on the buckets it created; only `writerRoleArn` may write or delete thumbnails. */
  restrictAccess(writerRoleArn: string): void {
    if (this.originals)
      new S3BucketPolicy(this, 'originals-policy', {
        bucket: this.originals.bucket.id,
        policy: JSON.stringify(originalsBucketPolicy(this.originals.bucket.arn)),
        dependsOn: [this.originals.publicAccessBlock],
      });
    new S3BucketPolicy(this, 'thumbnails-policy', {
      bucket: this.thumbnails.bucket.id,
      policy: JSON.stringify(thumbnailsBucketPolicy(this.thumbnails.bucket.arn, writerRoleArn)),
      dependsOn: [this.thumbnails.publicAccessBlock],
    });
  }
}
