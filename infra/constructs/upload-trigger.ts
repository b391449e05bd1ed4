import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { Construct } from 'constructs';
import { encodeEventKey } from '../../handlers/thumbnail/constants';

export interface UploadTriggerProps {
  readonly bucket: S3Bucket;
  readonly function: LambdaFunction;
  readonly accountId: string;
  /** Keys ending with one of these trigger the function (case-sensitive, as S3 compares). */
  readonly suffixes: readonly string[];
  /** Only keys under it (S3 compares the filter with the URL-encoded key, so it is written encoded). */
  readonly prefix?: string;
  /** Also send ObjectRemoved events, so thumbnails follow deleted originals. */
  readonly onDelete: boolean;
}

/**
 * Invocation: S3 may invoke the function only for this bucket in this account, and the bucket
 * notification that does so, created only once that permission exists.
 */
export class UploadTrigger extends Construct {
  readonly permission: LambdaPermission;
  readonly notification: S3BucketNotification;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    this.permission = new LambdaPermission(this, 'permission', {
      statementId: 'AllowInvokeFromOriginalsBucket',
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionName,
      principal: 's3.amazonaws.com',
      sourceArn: props.bucket.arn,
      sourceAccount: props.accountId,
    });
    const events = props.onDelete ? [['s3:ObjectCreated:*'], ['s3:ObjectRemoved:*']] : [['s3:ObjectCreated:*']];
    this.notification = new S3BucketNotification(this, 'notification', {
      bucket: props.bucket.id,
      lambdaFunction: events.flatMap((eventTypes) =>
        props.suffixes.map((suffix) => ({
          lambdaFunctionArn: props.function.arn,
          events: eventTypes,
          ...(props.prefix ? { filterPrefix: encodeEventKey(props.prefix) } : {}),
          filterSuffix: suffix,
        })),
      ),
      // S3 validates the destination when the notification is written: without the permission,
      // apply fails with "Unable to validate the following destination configurations".
      dependsOn: [this.permission],
    });
  }
}
