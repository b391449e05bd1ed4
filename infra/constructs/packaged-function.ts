import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionRecursionConfig } from '@cdktf/provider-aws/lib/lambda-function-recursion-config';
import { AssetType, type ITerraformDependable, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import type { Architecture } from '../../lib/architectures';
import type { ZipArtifact } from '../artifacts';
import { LAMBDA_RUNTIME } from '../config';

export interface PackagedFunctionProps {
  readonly functionName: string;
  readonly description: string;
  readonly zip: ZipArtifact;
  /** "<module>.<export>" inside the zip. */
  readonly handler: string;
  readonly architecture: Architecture;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly layers?: readonly string[];
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly logLevel: string;
  readonly reservedConcurrency?: number;
  /** Resources the function needs before its first invocation (its permissions). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A Lambda function from a built zip, logging JSON to its own log group, stopped if it loops. */
export class PackagedFunction extends Construct {
  readonly function: LambdaFunction;
  readonly recursion: LambdaFunctionRecursionConfig;

  constructor(scope: Construct, id: string, props: PackagedFunctionProps) {
    super(scope, id);
    const asset = new TerraformAsset(this, 'zip', { path: props.zip.path, type: AssetType.FILE });
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: props.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [props.architecture],
      handler: props.handler,
      filename: asset.path,
      // From the zip's bytes (deterministic builds), so an unchanged function plans as a no-op.
      sourceCodeHash: props.zip.sha256Base64,
      memorySize: props.memoryMB,
      timeout: props.timeoutSeconds,
      layers: props.layers ? [...props.layers] : undefined,
      environment: Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      loggingConfig: {
        logFormat: 'JSON',
        logGroup: props.logGroup.name,
        applicationLogLevel: props.logLevel,
        systemLogLevel: 'INFO',
      },
      reservedConcurrentExecutions: props.reservedConcurrency,
      dependsOn: [props.logGroup, ...(props.dependsOn ?? [])],
    });
    // Lambda stops a function that S3 or SQS would otherwise invoke in an endless loop.
    this.recursion = new LambdaFunctionRecursionConfig(this, 'recursion', {
      functionName: this.function.functionName,
      recursiveLoop: 'Terminate',
    });
  }
}
