import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { uploadEventPattern } from '../event-pattern';
import { ADOPTED_BUCKET_VARIABLES, enableEventBridgeInstructions } from '../names';
import { FailureQueue } from './failure-queue';

export interface EventBridgeTriggerProps {
  readonly ruleName: string;
  readonly deadLetterQueueName: string;
  /** The adopted bucket: its name as the lookup found it (the pattern names it literally). */
  readonly bucketName: string;
  readonly function: LambdaFunction;
  readonly prefix?: string;
  readonly suffixes: readonly string[];
  readonly onDelete: boolean;
}

/**
 * Invocation through EventBridge, writing nothing on the bucket: a rule selecting the bucket's
 * created (and deleted) objects under the prefix with the suffixes in any case, the function as its
 * target with a retry policy and an encrypted dead-letter queue, and a permission that lets only
 * EventBridge, for this rule, invoke the function. EventBridge must be on for the bucket (its
 * owner's switch): `make plan` reads it into var.adopted_bucket_eventbridge, and the rule refuses
 * to be planned while it is off, saying how to turn it on.
 */
export class EventBridgeTrigger extends Construct {
  readonly enabled: TerraformVariable;
  readonly rule: CloudwatchEventRule;
  readonly deadLetters: FailureQueue;
  readonly target: CloudwatchEventTarget;
  readonly permission: LambdaPermission;

  constructor(scope: Construct, id: string, props: EventBridgeTriggerProps) {
    super(scope, id);
    this.enabled = new TerraformVariable(this, 'eventbridge-enabled', {
      type: 'bool',
      nullable: false,
      description: `Whether S3 sends the events of bucket ${props.bucketName} to EventBridge. \`make plan\` and \`make deploy\` read it from the bucket; set it yourself only as they would.`,
    });
    this.enabled.overrideLogicalId(ADOPTED_BUCKET_VARIABLES.eventBridge);
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: props.ruleName,
      description: `Uploads to ${props.bucketName}${props.prefix ? ` under ${props.prefix}` : ''} for the thumbnail function`,
      eventPattern: JSON.stringify(
        uploadEventPattern({ bucketName: props.bucketName, prefix: props.prefix, suffixes: props.suffixes, onDelete: props.onDelete }),
      ),
      lifecycle: {
        precondition: [{ condition: this.enabled.booleanValue, errorMessage: enableEventBridgeInstructions(props.bucketName) }],
      },
    });
    this.deadLetters = new FailureQueue(this, 'dead-letters', {
      queueName: props.deadLetterQueueName,
      sender: { service: 'events.amazonaws.com', sourceArn: this.rule.arn },
    });
    this.permission = new LambdaPermission(this, 'permission', {
      statementId: 'AllowInvokeFromUploadsRule',
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    });
    this.target = new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      targetId: 'thumbnail-function',
      arn: props.function.arn,
      // EventBridge retries a delivery Lambda refused (throttling, service errors) for up to a day,
      // then leaves the event in the dead-letter queue; the function's own failures are Lambda's
      // async retries and the failure queue, as for notifications.
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
      deadLetterConfig: { arn: this.deadLetters.queue.arn },
      dependsOn: [this.permission],
    });
  }
}
