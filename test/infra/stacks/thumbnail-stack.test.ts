import { beforeAll, describe, expect, it } from 'vitest';
import type { StackArtifacts } from '../../../infra/artifacts';
import { resolveEnvironments } from '../../../infra/environments';
import { devConfig, fakeArtifacts, synthStack } from '../../support/stack';
import { type FoundResource, ref, resourceAt, resourcesOfType, type TerraformJson } from '../../support/terraform-json';
import { tempDir } from '../../support/tmp';

let artifacts: StackArtifacts;
let json: TerraformJson;
const config = devConfig({
  region: 'eu-west-1',
  namePrefix: 'photos-dev',
  thumbnail: {
    renditions: [
      { name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 },
      { name: 'preview', width: 400, format: 'webp', quality: 75 },
    ],
    memoryMB: 1536,
    timeoutSeconds: 20,
  },
});

let originals: FoundResource;
let thumbnails: FoundResource;
let fn: FoundResource;
let layer: FoundResource;
let permission: FoundResource;
let logGroup: FoundResource;

beforeAll(() => {
  artifacts = fakeArtifacts(tempDir('stack'));
  json = synthStack(config, artifacts);
  originals = resourceAt(json, 'aws_s3_bucket', 'image-buckets/originals/bucket');
  thumbnails = resourceAt(json, 'aws_s3_bucket', 'image-buckets/thumbnails/bucket');
  fn = resourceAt(json, 'aws_lambda_function', 'thumbnail-function/function');
  layer = resourceAt(json, 'aws_lambda_layer_version', 'sharp-layer/layer');
  permission = resourceAt(json, 'aws_lambda_permission', 'upload-trigger/permission');
  logGroup = resourceAt(json, 'aws_cloudwatch_log_group', 'thumbnail-logs/log-group');
});

const policyOf = (resource: FoundResource, attribute = 'policy') => JSON.parse(resource.body[attribute] as string);

describe('ThumbnailStack buckets', () => {
  it('names originals and thumbnails from the prefix; Terraform makes them unique', () => {
    expect(originals.body['bucket_prefix']).toBe('photos-dev-originals-');
    expect(thumbnails.body['bucket_prefix']).toBe('photos-dev-thumbnails-');
    expect(originals.body['bucket']).toBeUndefined();
  });

  it.each(['originals', 'thumbnails'])('blocks all public access to %s', (name) => {
    const block = resourceAt(json, 'aws_s3_bucket_public_access_block', `image-buckets/${name}/public-access-block`);
    expect(block.body).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(block.body['bucket']).toBe(ref(name === 'originals' ? originals : thumbnails, 'id'));
  });

  it.each(['originals', 'thumbnails'])('encrypts %s by default and enforces object ownership', (name) => {
    const encryption = resourceAt(json, 'aws_s3_bucket_server_side_encryption_configuration', `image-buckets/${name}/encryption`);
    expect(encryption.body['rule']).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    const ownership = resourceAt(json, 'aws_s3_bucket_ownership_controls', `image-buckets/${name}/ownership`);
    expect(ownership.body['rule']).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('deletes non-empty buckets on destroy only where configured (dev yes, prod no)', () => {
    expect(originals.body['force_destroy']).toBe(true);
    const prod = synthStack(devConfig({ forceDestroyBuckets: false }), artifacts);
    expect(resourceAt(prod, 'aws_s3_bucket', 'image-buckets/originals/bucket').body['force_destroy']).toBe(false);
  });
});

describe('ThumbnailStack layer', () => {
  it('publishes the layer zip for nodejs24.x on x86_64, identified by its hash', () => {
    expect(layer.body).toMatchObject({
      layer_name: 'photos-dev-sharp',
      compatible_runtimes: ['nodejs24.x'],
      compatible_architectures: ['x86_64'],
      source_code_hash: artifacts.sharpLayers.x86_64?.sha256Base64,
    });
    expect(layer.body['filename']).toMatch(/^assets\/sharp-layer_zip_[0-9A-F]+\/[0-9A-F]+\/[\w.-]+\.zip$/);
  });
});

describe('ThumbnailStack function', () => {
  it('runs the bundled handler on nodejs24.x, x86_64, with the layer', () => {
    expect(fn.body).toMatchObject({
      function_name: 'photos-dev-thumbnail',
      runtime: 'nodejs24.x',
      architectures: ['x86_64'],
      handler: 'index.handler',
      memory_size: 1536,
      timeout: 20,
      layers: [ref(layer, 'arn')],
      source_code_hash: artifacts.functions['thumbnail']?.sha256Base64,
    });
    expect(fn.body['filename']).toMatch(/^assets\/thumbnail-function_zip_[0-9A-F]+\/[0-9A-F]+\/thumbnail\.zip$/);
  });

  it('passes the configuration through its environment, buckets by reference', () => {
    const variables = (fn.body['environment'] as { variables: Record<string, string> }).variables;
    expect(variables).toMatchObject({
      SOURCE_BUCKET: ref(originals, 'bucket'),
      THUMBNAIL_BUCKET: ref(thumbnails, 'bucket'),
      RENDITIONS:
        '[{"name":"thumbnail","width":100,"format":"jpeg","quality":80},{"name":"preview","width":400,"format":"webp","quality":75}]',
      MAX_INPUT_PIXELS: '100000000',
      MAX_INPUT_BYTES: String(50 * 1024 * 1024),
      MAX_DECODE_MS: '1500',
      EXPECTED_BUCKET_OWNER: '${data.aws_caller_identity.current.account_id}',
    });
  });

  it('logs JSON to an explicit log group with retention, created first', () => {
    expect(logGroup.body).toMatchObject({ name: '/aws/lambda/photos-dev-thumbnail', retention_in_days: 14 });
    expect(fn.body['logging_config']).toMatchObject({ log_format: 'JSON', log_group: ref(logGroup, 'name') });
    expect(fn.body['depends_on']).toContain(logGroup.address);
  });

  it('terminates recursive invocation loops', () => {
    const recursion = resourceAt(json, 'aws_lambda_function_recursion_config', 'thumbnail-function/recursion');
    expect(recursion.body).toMatchObject({ function_name: ref(fn, 'function_name'), recursive_loop: 'Terminate' });
  });
});

describe('ThumbnailStack execution role', () => {
  const role = () => resourceAt(json, 'aws_iam_role', 'thumbnail-role/role');

  it('is assumable by lambda.amazonaws.com only, for this account', () => {
    expect(policyOf(role(), 'assume_role_policy')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LambdaServiceInThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.current.account_id}' } },
        },
      ],
    });
    expect(fn.body['role']).toBe(ref(role(), 'arn'));
  });

  it('may read originals, write thumbnails and its logs, record failures, and nothing else', () => {
    const policy = policyOf(resourceAt(json, 'aws_iam_role_policy', 'thumbnail-role/policy'));
    // The configured renditions' keys, and no other: thumbnail (JPEG) and preview (WebP).
    const thumbnailKeys = ['*-thumbnail.jpg', '*.thumbnail.jpg', '*-preview.webp', '*.preview.webp'].map(
      (keys) => `${ref(thumbnails, 'arn')}/${keys}`,
    );
    const queue = resourceAt(json, 'aws_sqs_queue', 'failure-queue/queue');
    expect(policy.Statement.map((s: { Action: unknown; Resource: unknown }) => [s.Action, s.Resource])).toEqual([
      ['s3:GetObject', `${ref(originals, 'arn')}/*`],
      ['s3:ListBucket', ref(originals, 'arn')],
      ['s3:GetObject', thumbnailKeys],
      ['s3:PutObject', thumbnailKeys],
      ['s3:DeleteObject', thumbnailKeys],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], `${ref(logGroup, 'arn')}:*`],
      ['sqs:SendMessage', ref(queue, 'arn')],
    ]);
    expect(policy.Statement.every((s: { Effect: string }) => s.Effect === 'Allow')).toBe(true);
    expect(resourcesOfType(json, 'aws_iam_role_policy_attachment')).toEqual([]);
  });
});

describe('ThumbnailStack trigger', () => {
  it('lets only S3, for the originals bucket of this account, invoke the function', () => {
    expect(permission.body).toMatchObject({
      action: 'lambda:InvokeFunction',
      function_name: ref(fn, 'function_name'),
      principal: 's3.amazonaws.com',
      source_arn: ref(originals, 'arn'),
      source_account: '${data.aws_caller_identity.current.account_id}',
    });
  });

  it('notifies the function of .jpg uploads to originals, after the permission exists', () => {
    const notification = resourceAt(json, 'aws_s3_bucket_notification', 'upload-trigger/notification');
    expect(notification.body['bucket']).toBe(ref(originals, 'id'));
    expect(notification.body['lambda_function']).toContainEqual({
      lambda_function_arn: ref(fn, 'arn'),
      events: ['s3:ObjectCreated:*'],
      filter_suffix: '.jpg',
    });
    expect(notification.body['depends_on']).toEqual([permission.address]);
  });

  it('never notifies for the thumbnails bucket', () => {
    for (const notification of resourcesOfType(json, 'aws_s3_bucket_notification')) {
      expect(notification.body['bucket']).not.toBe(ref(thumbnails, 'id'));
    }
  });
});

describe('ThumbnailStack outputs and settings', () => {
  it('outputs the bucket names and the function name and ARN', () => {
    expect(json.output).toMatchObject({
      originals_bucket: { value: ref(originals, 'bucket') },
      thumbnails_bucket: { value: ref(thumbnails, 'bucket') },
      thumbnail_function_name: { value: ref(fn, 'function_name') },
      thumbnail_function_arn: { value: ref(fn, 'arn') },
    });
  });

  it('configures the AWS provider for the region, with default tags', () => {
    expect(json.provider['aws']?.[0]).toMatchObject({
      region: 'eu-west-1',
      default_tags: [{ tags: { Project: 's3-thumbnail-pipeline', Environment: 'dev', ManagedBy: 'cdktf' } }],
    });
  });

  it('keeps local state outside cdktf.out by default, on a relative path', () => {
    expect(json.terraform['backend']).toEqual({ local: { path: '../../../terraform-state/thumbnails-dev.tfstate' } });
  });

  it('pins the AWS provider to the version the bindings were generated from, and needs Terraform >= 1.10', () => {
    expect(json.terraform['required_providers']).toEqual({ aws: { source: 'aws', version: '6.25.0' } });
    expect(json.terraform['required_version']).toBe('>= 1.10.0');
  });
});

describe('ThumbnailStack failure handling', () => {
  it('records failures in an encrypted SQS queue that only accepts TLS', () => {
    const queue = resourceAt(json, 'aws_sqs_queue', 'failure-queue/queue');
    expect(queue.body).toMatchObject({
      name: 'photos-dev-thumbnail-failures',
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1_209_600,
    });
    const policy = policyOf(resourceAt(json, 'aws_sqs_queue_policy', 'failure-queue/policy'));
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } })]);
  });

  it('retries asynchronous invocations as configured, then sends the event and error to the queue', () => {
    const invokeConfig = resourceAt(json, 'aws_lambda_function_event_invoke_config', 'thumbnail-async/config');
    expect(invokeConfig.body).toMatchObject({
      function_name: ref(fn, 'function_name'),
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 21_600,
      destination_config: { on_failure: { destination: ref(resourceAt(json, 'aws_sqs_queue', 'failure-queue/queue'), 'arn') } },
    });
    const variables = (fn.body['environment'] as { variables: Record<string, string> }).variables;
    expect(variables['FAILURE_QUEUE_URL']).toBe(ref(resourceAt(json, 'aws_sqs_queue', 'failure-queue/queue'), 'url'));
  });

  it('alarms on function errors, throttles and a non-empty failure queue', () => {
    const alarms = resourcesOfType(json, 'aws_cloudwatch_metric_alarm').map(({ body }) => [
      body['namespace'],
      body['metric_name'],
      body['dimensions'],
    ]);
    expect(alarms).toEqual(
      expect.arrayContaining([
        ['AWS/Lambda', 'Errors', { FunctionName: ref(fn, 'function_name') }],
        ['AWS/Lambda', 'Throttles', { FunctionName: ref(fn, 'function_name') }],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          { QueueName: ref(resourceAt(json, 'aws_sqs_queue', 'failure-queue/queue'), 'name') },
        ],
      ]),
    );
  });

  it('notifies alarm actions to a configured topic, and can turn alarms off', () => {
    const topic = 'arn:aws:sns:eu-west-1:111122223333:ops';
    const withTopic = synthStack(devConfig({ alarms: { enabled: true, errorThreshold: 3, notificationTopicArn: topic } }), artifacts);
    for (const { body } of resourcesOfType(withTopic, 'aws_cloudwatch_metric_alarm')) expect(body['alarm_actions']).toEqual([topic]);
    const withoutAlarms = synthStack(devConfig({ alarms: { enabled: false, errorThreshold: 1 } }), artifacts);
    expect(resourcesOfType(withoutAlarms, 'aws_cloudwatch_metric_alarm')).toEqual([]);
  });

  it('reserves concurrency when configured (prod), and not otherwise', () => {
    expect(fn.body['reserved_concurrent_executions']).toBeUndefined();
    const reserved = synthStack(devConfig({ thumbnail: { reservedConcurrency: 25 } }), artifacts);
    expect(resourceAt(reserved, 'aws_lambda_function', 'thumbnail-function/function').body['reserved_concurrent_executions']).toBe(25);
  });

  it('deletes thumbnails with their originals: an ObjectRemoved rule and the DeleteObject grant, both removed when off', () => {
    const notification = resourceAt(json, 'aws_s3_bucket_notification', 'upload-trigger/notification');
    expect(notification.body['lambda_function']).toContainEqual({
      lambda_function_arn: ref(fn, 'arn'),
      events: ['s3:ObjectRemoved:*'],
      filter_suffix: '.jpg',
    });
    const off = synthStack(devConfig({ thumbnail: { deleteWithOriginals: false } }), artifacts);
    const offRules = resourceAt(off, 'aws_s3_bucket_notification', 'upload-trigger/notification').body['lambda_function'] as {
      events: string[];
    }[];
    expect(offRules.map((rule) => rule.events)).toEqual([['s3:ObjectCreated:*']]);
    const offPolicy = policyOf(resourceAt(off, 'aws_iam_role_policy', 'thumbnail-role/policy'));
    expect(offPolicy.Statement.map((s: { Action: unknown }) => s.Action)).not.toContain('s3:DeleteObject');
  });

  it('lets the function read object versions only when originals are versioned', () => {
    const versioned = synthStack(devConfig({ originalsVersioning: true }), artifacts);
    expect(
      resourceAt(versioned, 'aws_s3_bucket_versioning', 'image-buckets/originals/versioning').body['versioning_configuration'],
    ).toEqual({ status: 'Enabled' });
    const statements = policyOf(resourceAt(versioned, 'aws_iam_role_policy', 'thumbnail-role/policy')).Statement;
    expect(statements[0].Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(policyOf(resourceAt(json, 'aws_iam_role_policy', 'thumbnail-role/policy')).Statement[0].Action).toBe('s3:GetObject');
  });
});

describe('ThumbnailStack environments', () => {
  it('keeps state in S3 with S3-native locking when a backend is configured', () => {
    const remote = synthStack(
      devConfig({ backend: { bucket: 'acme-tfstate', key: 'thumbnails/dev.tfstate', useLockfile: true } }),
      artifacts,
    );
    expect(remote.terraform['backend']).toEqual({
      s3: { bucket: 'acme-tfstate', key: 'thumbnails/dev.tfstate', region: 'ap-northeast-1', encrypt: true, use_lockfile: true },
    });
  });

  it('targets LocalStack: every endpoint at localhost:4566, path-style S3, no credential checks', () => {
    const localstack = resolveEnvironments().get('localstack');
    if (!localstack) throw new Error('no localstack environment');
    const provider = synthStack(localstack, artifacts).provider['aws']?.[0] as Record<string, unknown>;
    expect(provider).toMatchObject({
      s3_use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      access_key: 'test',
      secret_key: 'test',
    });
    const endpoints = (provider['endpoints'] as Record<string, string>[])[0] ?? {};
    for (const service of ['s3', 'lambda', 'iam', 'sqs', 'logs', 'sts', 'cloudwatch'])
      expect(endpoints[service]).toBe('http://localhost:4566');
  });

  it('gives prod its own names, retention and reserved concurrency', () => {
    const prod = resolveEnvironments().get('prod');
    if (!prod) throw new Error('no prod environment');
    const prodJson = synthStack(prod, artifacts);
    expect(resourceAt(prodJson, 'aws_lambda_function', 'thumbnail-function/function').body).toMatchObject({
      function_name: 'thumbnails-prod-thumbnail',
      reserved_concurrent_executions: 50,
    });
    expect(resourceAt(prodJson, 'aws_cloudwatch_log_group', 'thumbnail-logs/log-group').body['retention_in_days']).toBe(365);
    expect(resourceAt(prodJson, 'aws_s3_bucket', 'image-buckets/originals/bucket').body['force_destroy']).toBe(false);
  });
});
