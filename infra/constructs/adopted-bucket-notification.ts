import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { encodeEventKey } from '../../handlers/thumbnail/constants';
import { ADOPTED_BUCKET_VARIABLES } from '../names';

export interface AdoptedBucketNotificationProps {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly function: LambdaFunction;
  readonly accountId: string;
  /** Starts the id of every configuration the stack adds, so the next plan tells them from the bucket's own. */
  readonly idPrefix: string;
  readonly prefix?: string;
  readonly suffixes: readonly string[];
  readonly onDelete: boolean;
}

/** The filters of one destination of each kind, as the variable carries them (S3's configuration, in the resource's shape). */
const destination = (arnField: string) =>
  `object({ id = string, ${arnField} = string, events = list(string), filter_prefix = optional(string), filter_suffix = optional(string) })`;

/** The Terraform type of var.adopted_bucket_notifications. */
export const NOTIFICATIONS_VARIABLE_TYPE = `object({ eventbridge = bool, lambda_function = list(${destination('lambda_function_arn')}), queue = list(${destination('queue_arn')}), topic = list(${destination('topic_arn')}) })`;

/**
 * Direct S3 notifications on an adopted bucket (delivery "notification", opt-in). The resource owns
 * the bucket's whole notification configuration, so the configuration the bucket has (read by
 * `make plan` into var.adopted_bucket_notifications) is carried over verbatim beside the stack's
 * own, and the plan shows it kept. Plain `terraform destroy` would write an empty configuration:
 * the resource refuses to be destroyed, and `make destroy` first writes back what was there
 * before, then lets go of it.
 */
export class AdoptedBucketNotification extends Construct {
  readonly existing: TerraformVariable;
  readonly permission: LambdaPermission;
  readonly notification: S3BucketNotification;

  constructor(scope: Construct, id: string, props: AdoptedBucketNotificationProps) {
    super(scope, id);
    this.existing = new TerraformVariable(this, 'existing', {
      type: NOTIFICATIONS_VARIABLE_TYPE,
      nullable: false,
      description: `The notification configuration bucket ${props.bucketName} has besides the stack's own. \`make plan\` and \`make deploy\` read it from the bucket; set it yourself only as they would.`,
    });
    this.existing.overrideLogicalId(ADOPTED_BUCKET_VARIABLES.notifications);
    this.permission = new LambdaPermission(this, 'permission', {
      statementId: 'AllowInvokeFromOriginalsBucket',
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionName,
      principal: 's3.amazonaws.com',
      sourceArn: props.bucketArn,
      sourceAccount: props.accountId,
    });
    const events = props.onDelete ? ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] : ['s3:ObjectCreated:*'];
    const ours = events.flatMap((event) =>
      props.suffixes.map((suffix, i) => ({
        id: `${props.idPrefix}${event.split(':')[1]?.toLowerCase()}-${i + 1}`,
        lambdaFunctionArn: props.function.arn,
        events: [event],
        ...(props.prefix ? { filterPrefix: encodeEventKey(props.prefix) } : {}),
        filterSuffix: suffix,
      })),
    );
    this.notification = new S3BucketNotification(this, 'notification', {
      bucket: props.bucketName,
      lambdaFunction: ours,
      lifecycle: { preventDestroy: true },
      dependsOn: [this.permission],
    });
    const variable = `var.${ADOPTED_BUCKET_VARIABLES.notifications}`;
    this.notification.addOverride('eventbridge', `\${${variable}.eventbridge}`);
    for (const [block, arnField] of [
      ['lambda_function', 'lambda_function_arn'],
      ['queue', 'queue_arn'],
      ['topic', 'topic_arn'],
    ] as const) {
      const field = (name: string) => `\${${block}.value.${name}}`;
      this.notification.addOverride(`dynamic.${block}`, {
        for_each: `\${${variable}.${block}}`,
        content: {
          id: field('id'),
          [arnField]: field(arnField),
          events: field('events'),
          filter_prefix: field('filter_prefix'),
          filter_suffix: field('filter_suffix'),
        },
      });
    }
  }
}
