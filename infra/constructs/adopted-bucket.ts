import { DataAwsS3Bucket } from '@cdktf/provider-aws/lib/data-aws-s3-bucket';
import { Construct } from 'constructs';

export interface AdoptedBucketProps {
  readonly bucketName: string;
  /** The stack's region: the bucket must be there (Lambda reads it, S3 sends its events there). */
  readonly region: string;
}

/**
 * A bucket the team already has, looked up and never managed: no aws_s3_bucket* resource names it,
 * so `terraform destroy` leaves it, its objects and its settings as they were. The lookup fails the
 * plan, before anything changes, when the bucket does not exist or is in another region.
 */
export class AdoptedBucket extends Construct {
  readonly lookup: DataAwsS3Bucket;
  readonly name: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AdoptedBucketProps) {
    super(scope, id);
    this.lookup = new DataAwsS3Bucket(this, 'lookup', {
      bucket: props.bucketName,
      lifecycle: {
        postcondition: [
          {
            // Provider 6 names the bucket's own region bucket_region (region is where the provider calls from).
            condition: `\${self.bucket_region == "${props.region}"}`,
            errorMessage: `Bucket ${props.bucketName} is not in ${props.region}, the stack's region: set the environment's region to the bucket's. Nothing was changed.`,
          },
        ],
      },
    });
    this.name = this.lookup.bucket;
    this.arn = this.lookup.arn;
  }
}
