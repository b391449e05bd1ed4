import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { functionEnvironment } from '../../handlers/thumbnail/constants';
import type { StackArtifacts } from '../artifacts';
import { type AdoptedBucketSettings, adoptedBucketOf, type StackConfig } from '../config';
import { AdoptedBucket } from '../constructs/adopted-bucket';
import { AdoptedBucketNotification } from '../constructs/adopted-bucket-notification';
import { PipelineAlarms } from '../constructs/alarms';
import { AsyncInvokeConfig } from '../constructs/async-invoke-config';
import { BackfillJobs } from '../constructs/backfill-jobs';
import { CalculatorFunction } from '../constructs/calculator-function';
import { EventBridgeTrigger } from '../constructs/eventbridge-trigger';
import { ExecutionRole } from '../constructs/execution-role';
import { FailureQueue } from '../constructs/failure-queue';
import { FunctionLogs } from '../constructs/function-logs';
import { ImageBuckets } from '../constructs/image-buckets';
import { InvokerRole } from '../constructs/invoker-role';
import { PackagedFunction } from '../constructs/packaged-function';
import { SharpLayer } from '../constructs/sharp-layer';
import { UploadTrigger } from '../constructs/upload-trigger';
import { localStatePath, resourceNames } from '../names';
import { thumbnailExecutionPolicy } from '../policies';

export interface ThumbnailStackProps {
  readonly config: StackConfig;
  readonly artifacts: StackArtifacts;
}

function requireArtifact(artifacts: StackArtifacts, name: string) {
  const zip = artifacts.functions[name];
  if (!zip) throw new Error(`no built zip for the ${name} handler: run \`make zip\``);
  return zip;
}

/** The pipeline: buckets, sharp layer, thumbnail function and its trigger, failure handling, alarms; and the calculator. */
export class ThumbnailStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ThumbnailStackProps) {
    super(scope, id);
    const { config, artifacts } = props;
    const prefix = config.namePrefix;

    this.configureBackend(id, config);
    // S3-native state locking (use_lockfile) needs Terraform 1.10, as does OpenTofu's.
    this.addOverride('terraform.required_version', '>= 1.10.0');
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { Project: 's3-thumbnail-pipeline', Environment: config.environment, ManagedBy: 'cdktf', ...config.tags } }],
      ...(config.endpoint === undefined ? {} : localEndpointSettings(config.endpoint)),
    });
    const accountId = new DataAwsCallerIdentity(this, 'current').accountId;

    const adopted = adoptedBucketOf(config);
    const buckets = new ImageBuckets(this, 'image-buckets', {
      namePrefix: prefix,
      createOriginals: adopted === undefined,
      forceDestroy: config.forceDestroyBuckets,
      originalsVersioning: config.originalsVersioning,
    });
    const originals = buckets.originals
      ? { name: buckets.originals.bucket.bucket, id: buckets.originals.bucket.id, arn: buckets.originals.bucket.arn }
      : adoptedOriginals(this, adopted, config.region);
    const names = resourceNames(prefix);
    const failures = new FailureQueue(this, 'failure-queue', { queueName: names.failureQueue });

    const thumbnailName = names.thumbnailFunction;
    const thumbnailLogs = new FunctionLogs(this, 'thumbnail-logs', { functionName: thumbnailName, retentionDays: config.logRetentionDays });
    const thumbnailRole = new ExecutionRole(this, 'thumbnail-role', {
      roleName: `${thumbnailName}-execution`,
      accountId,
      policy: thumbnailExecutionPolicy({
        originalsBucketArn: originals.arn,
        ...(adopted?.prefix === undefined ? {} : { originalsPrefix: adopted.prefix }),
        ...(adopted?.kmsKeyArn === undefined ? {} : { originalsKey: { keyArn: adopted.kmsKeyArn, region: config.region } }),
        thumbnailsBucketArn: buckets.thumbnails.bucket.arn,
        logGroupArn: thumbnailLogs.logGroup.arn,
        failureQueueArn: failures.queue.arn,
        originalsVersioning: config.originalsVersioning,
        deleteWithOriginals: config.thumbnail.deleteWithOriginals,
        renditions: config.thumbnail.renditions,
      }),
    });
    buckets.restrictAccess(thumbnailRole.role.arn);

    const layerZip = artifacts.sharpLayers[config.architecture];
    if (!layerZip)
      throw new Error(
        `no sharp layer built for ${config.architecture}, which environment "${config.environment}" runs on: run \`make layer ARCH=${config.architecture}\``,
      );
    const layer = new SharpLayer(this, 'sharp-layer', { layerName: `${prefix}-sharp`, zip: layerZip, architecture: config.architecture });
    const thumbnail = new PackagedFunction(this, 'thumbnail-function', {
      functionName: thumbnailName,
      description: 'Makes JPEG thumbnails of images uploaded to the originals bucket',
      zip: requireArtifact(artifacts, 'thumbnail'),
      handler: 'index.handler',
      architecture: config.architecture,
      memoryMB: config.thumbnail.memoryMB,
      timeoutSeconds: config.thumbnail.timeoutSeconds,
      environment: functionEnvironment({
        sourceBucket: originals.name,
        ...(adopted?.prefix === undefined ? {} : { sourcePrefix: adopted.prefix }),
        destinationBucket: buckets.thumbnails.bucket.bucket,
        renditions: config.thumbnail.renditions,
        inputFormats: config.thumbnail.inputFormats,
        jpegBackground: config.thumbnail.jpegBackground,
        maxInputPixels: config.thumbnail.maxInputPixels,
        maxInputBytes: config.thumbnail.maxInputBytes,
        maxDecodeMs: config.thumbnail.maxDecodeMs,
        s3RequestTimeoutMs: config.thumbnail.s3RequestTimeoutMs,
        failureQueueUrl: failures.queue.url,
        expectedBucketOwner: accountId,
      }),
      layers: [layer.layer.arn],
      role: thumbnailRole.role,
      logGroup: thumbnailLogs.logGroup,
      logLevel: config.logLevel,
      reservedConcurrency: config.thumbnail.reservedConcurrency,
      dependsOn: [thumbnailRole.policy],
    });
    new AsyncInvokeConfig(this, 'thumbnail-async', {
      function: thumbnail.function,
      maximumRetryAttempts: config.asyncInvoke.maximumRetryAttempts,
      maximumEventAgeSeconds: config.asyncInvoke.maximumEventAgeSeconds,
      onFailureArn: failures.queue.arn,
      dependsOn: [thumbnailRole.policy],
    });
    const trigger = {
      function: thumbnail.function,
      suffixes: config.thumbnail.triggerSuffixes,
      onDelete: config.thumbnail.deleteWithOriginals,
      ...(adopted?.prefix === undefined ? {} : { prefix: adopted.prefix }),
    };
    let deadLetters: FailureQueue | undefined;
    if (buckets.originals) new UploadTrigger(this, 'upload-trigger', { ...trigger, bucket: buckets.originals.bucket, accountId });
    else if (adopted?.delivery === 'notification')
      new AdoptedBucketNotification(this, 'adopted-notification', {
        ...trigger,
        bucketName: adopted.name,
        bucketArn: originals.arn,
        accountId,
        idPrefix: names.notificationIdPrefix,
      });
    else if (adopted)
      deadLetters = new EventBridgeTrigger(this, 'eventbridge-trigger', {
        ...trigger,
        bucketName: adopted.name,
        ruleName: names.uploadsRule,
        deadLetterQueueName: names.deadLetterQueue,
      }).deadLetters;
    if (config.alarms.enabled) {
      new PipelineAlarms(this, 'alarms', {
        namePrefix: prefix,
        functionName: thumbnail.function.functionName,
        failureQueueName: failures.queue.name,
        ...(deadLetters ? { deadLetterQueueName: deadLetters.queue.name } : {}),
        errorThreshold: config.alarms.errorThreshold,
        notificationTopicArn: config.alarms.notificationTopicArn,
      });
    }
    const invoker =
      config.invokerPrincipals.length > 0
        ? new InvokerRole(this, 'invoker-role', {
            roleName: `${prefix}-invoker`,
            principals: config.invokerPrincipals,
            function: thumbnail.function,
          })
        : undefined;

    const backfill = config.backfill.enabled
      ? new BackfillJobs(this, 'backfill', {
          namePrefix: prefix,
          roleName: names.backfillRole,
          accountId,
          function: thumbnail.function,
          forceDestroy: config.forceDestroyBuckets,
          retentionDays: config.backfill.retentionDays,
          ...(config.backfill.inventory ? { inventoryOf: { name: originals.id, arn: originals.arn } } : {}),
        })
      : undefined;

    const calculator = new CalculatorFunction(this, 'calculator', {
      functionName: names.calculatorFunction,
      accountId,
      zip: requireArtifact(artifacts, 'calculator'),
      architecture: config.architecture,
      memoryMB: config.calculator.memoryMB,
      timeoutSeconds: config.calculator.timeoutSeconds,
      logRetentionDays: config.logRetentionDays,
      logLevel: config.logLevel,
    });
    // Its addresses while its resources were wired in this stack directly.
    calculator.movedFrom({
      logGroup: 'aws_cloudwatch_log_group.calculator-logs_log-group_6AEECCA6',
      role: 'aws_iam_role.calculator-role_B62D1D59',
      rolePolicy: 'aws_iam_role_policy.calculator-role_policy_21A2F709',
      function: 'aws_lambda_function.calculator-function_7E86D2F5',
      recursion: 'aws_lambda_function_recursion_config.calculator-function_recursion_69336859',
    });

    new TerraformOutput(this, 'originals_bucket', {
      value: originals.name,
      description: adopted ? 'The adopted bucket uploads come from (never managed by this stack)' : 'Upload .jpg files here',
    });
    new TerraformOutput(this, 'thumbnails_bucket', { value: buckets.thumbnails.bucket.bucket, description: 'Thumbnails appear here' });
    new TerraformOutput(this, 'thumbnail_function_name', { value: thumbnail.function.functionName });
    new TerraformOutput(this, 'thumbnail_function_arn', { value: thumbnail.function.arn });
    new TerraformOutput(this, 'failure_queue_url', { value: failures.queue.url, description: 'Failed uploads, for `make redrive`' });
    new TerraformOutput(this, 'calculator_function_name', { value: calculator.packaged.function.functionName });
    if (invoker) new TerraformOutput(this, 'invoker_role_arn', { value: invoker.role.arn });
    if (backfill) {
      new TerraformOutput(this, 'backfill_job_bucket', {
        value: backfill.bucket.bucket.bucket,
        description: 'Manifests and reports of `make backfill`',
      });
      new TerraformOutput(this, 'backfill_role_arn', {
        value: backfill.role.arn,
        description: 'The role S3 Batch Operations assumes for `make backfill`',
      });
    }
  }

  private configureBackend(id: string, config: StackConfig) {
    if (config.backend === undefined) {
      new LocalBackend(this, { path: localStatePath(id) });
      return;
    }
    new S3Backend(this, {
      bucket: config.backend.bucket,
      key: config.backend.key,
      region: config.backend.region ?? config.region,
      encrypt: true,
    });
    // S3-native locking (Terraform >= 1.10); the prebuilt bindings predate the setting.
    if (config.backend.useLockfile) this.addOverride('terraform.backend.s3.use_lockfile', true);
  }
}

/** An adopted bucket, looked up (never managed), named as the stack's other resources name buckets. */
function adoptedOriginals(scope: Construct, adopted: AdoptedBucketSettings | undefined, region: string) {
  if (!adopted) throw new Error('the stack creates no originals bucket and adopts none');
  const bucket = new AdoptedBucket(scope, 'adopted-originals', { bucketName: adopted.name, region });
  return { name: bucket.name, id: bucket.name, arn: bucket.arn };
}

/** Provider settings for an emulator such as LocalStack: every service at one endpoint, no credential checks. */
function localEndpointSettings(endpoint: string) {
  const services = ['cloudwatch', 'iam', 'lambda', 'logs', 's3', 'sqs', 'sts'] as const;
  return {
    accessKey: 'test',
    secretKey: 'test',
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: 'true',
    s3UsePathStyle: true,
    endpoints: [Object.fromEntries(services.map((service) => [service, endpoint]))],
  };
}
