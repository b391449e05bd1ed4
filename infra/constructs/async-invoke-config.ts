import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface AsyncInvokeConfigProps {
  readonly function: LambdaFunction;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly onFailureArn: string;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Lambda's own retries for asynchronous (S3) invocations, and where an event goes when they run out. */
export class AsyncInvokeConfig extends Construct {
  readonly config: LambdaFunctionEventInvokeConfig;

  constructor(scope: Construct, id: string, props: AsyncInvokeConfigProps) {
    super(scope, id);
    this.config = new LambdaFunctionEventInvokeConfig(this, 'config', {
      functionName: props.function.functionName,
      maximumRetryAttempts: props.maximumRetryAttempts,
      maximumEventAgeInSeconds: props.maximumEventAgeSeconds,
      destinationConfig: { onFailure: { destination: props.onFailureArn } },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
