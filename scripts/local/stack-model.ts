/**
 * What the local runner needs from a synthesized stack (cdk.tf.json): buckets, functions, layers,
 * notification rules, async-invoke settings and queues, and how references resolve to local names.
 * Pure: reading the file is the caller's business. A stack change shows up here, so it runs locally.
 */

import { type Architecture, isArchitecture } from '../../lib/architectures';
import { resourcesOfType, type TerraformJson } from '../lib/terraform-json';
import { parseReference, type Reference, referenceAddress } from '../lib/terraform-refs';

export interface BucketModel {
  readonly address: string;
  readonly localName: string;
  /** A bucket the stack only looks up (data.aws_s3_bucket): an existing one it adopts and never manages. */
  readonly adopted?: boolean;
}

/** An EventBridge rule of the stack, with its pattern and the functions it targets. */
export interface EventRuleModel {
  readonly address: string;
  readonly name: string;
  /** The rule's event pattern, parsed. */
  readonly pattern: Record<string, unknown>;
  readonly targets: readonly { readonly functionAddress: string; readonly deadLetterQueue?: string }[];
}

export interface FunctionModel {
  readonly address: string;
  readonly functionName: string;
  /** The handler folder the zip was built from (`thumbnail`, `calculator`). */
  readonly source: string;
  readonly handler: string;
  readonly runtime: string;
  /** Lambda's architecture (the first of `architectures`; x86_64 when unset, as Lambda's default). */
  readonly architecture: Architecture;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  /** As synthesized: values may hold references, resolved with the model's resolver. */
  readonly environment: Readonly<Record<string, string>>;
  readonly layerAddresses: readonly string[];
  /** Relative to the stack folder. */
  readonly zipPath: string;
  readonly reservedConcurrency?: number;
  readonly logGroup?: string;
}

export interface NotificationRule {
  readonly bucketAddress: string;
  readonly functionAddress: string;
  readonly events: readonly string[];
  readonly filterPrefix?: string;
  readonly filterSuffix?: string;
}

export interface AsyncInvokeModel {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  /** The on-failure destination, as synthesized (a reference to a queue ARN). */
  readonly onFailure?: string;
}

export interface QueueModel {
  readonly address: string;
  readonly name: string;
}

export interface StackModel {
  readonly region: string;
  readonly buckets: readonly BucketModel[];
  readonly functions: readonly FunctionModel[];
  readonly layers: ReadonlyMap<string, { readonly zipPath: string; readonly name: string }>;
  readonly rules: readonly NotificationRule[];
  readonly eventRules: readonly EventRuleModel[];
  readonly asyncInvoke: ReadonlyMap<string, AsyncInvokeModel>;
  readonly queues: readonly QueueModel[];
  /** Log group names by address. */
  readonly logGroups: ReadonlyMap<string, string>;
  /** IAM role names by address. */
  readonly roles: ReadonlyMap<string, string>;
}

/** Lambda's defaults when a function has no aws_lambda_function_event_invoke_config. */
export const DEFAULT_ASYNC_INVOKE: AsyncInvokeModel = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

/** The data sources of one type, addressed as references name them (`data.<type>.<name>`). */
function dataSourcesOfType(json: TerraformJson, type: string): { address: string; body: Record<string, unknown> }[] {
  return Object.entries(json.data?.[type] ?? {}).map(([name, body]) => ({ address: `data.${type}.${name}`, body }));
}

const addressOf = (value: unknown): string | undefined => {
  const reference = typeof value === 'string' ? parseReference(value) : undefined;
  return reference ? referenceAddress(reference) : undefined;
};

const text = (value: unknown, what: string): string => {
  if (typeof value !== 'string') throw new Error(`${what} is missing from the synthesized stack`);
  return value;
};

/** Turn Terraform's generated bucket prefix into a fixed local bucket name. */
export const localBucketName = (body: Record<string, unknown>): string =>
  typeof body['bucket'] === 'string' ? body['bucket'] : `${text(body['bucket_prefix'], 'bucket or bucket_prefix')}local`;

function architectureOf(value: unknown, address: string): Architecture {
  const first = Array.isArray(value) ? String(value[0]) : 'x86_64';
  if (!isArchitecture(first)) throw new Error(`${address}.architectures: "${first}" is not a Lambda architecture`);
  return first;
}

export function readStackModel(json: TerraformJson): StackModel {
  const region = text(json.provider['aws']?.[0]?.['region'], 'provider.aws.region');
  const buckets: BucketModel[] = [
    ...resourcesOfType(json, 'aws_s3_bucket').map(({ address, body }) => ({ address, localName: localBucketName(body) })),
    ...dataSourcesOfType(json, 'aws_s3_bucket').map(({ address, body }) => ({
      address,
      localName: text(body['bucket'], `${address}.bucket`),
      adopted: true,
    })),
  ];
  const functions = resourcesOfType(json, 'aws_lambda_function').map(({ address, body }): FunctionModel => {
    const zipPath = text(body['filename'], `${address}.filename`);
    const logging = body['logging_config'] as { log_group?: string } | undefined;
    return {
      address,
      functionName: text(body['function_name'], `${address}.function_name`),
      source: (zipPath.split('/').pop() ?? '').replace(/\.zip$/, ''),
      handler: text(body['handler'], `${address}.handler`),
      runtime: text(body['runtime'], `${address}.runtime`),
      architecture: architectureOf(body['architectures'], address),
      memoryMB: Number(body['memory_size'] ?? 128),
      timeoutSeconds: Number(body['timeout'] ?? 3),
      environment: ((body['environment'] as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<string, string>,
      layerAddresses: ((body['layers'] as string[] | undefined) ?? []).map((layer) => addressOf(layer) ?? layer),
      zipPath,
      ...(typeof body['reserved_concurrent_executions'] === 'number' && body['reserved_concurrent_executions'] >= 0
        ? { reservedConcurrency: body['reserved_concurrent_executions'] }
        : {}),
      ...(logging?.log_group ? { logGroup: logging.log_group } : {}),
    };
  });
  const layers = new Map(
    resourcesOfType(json, 'aws_lambda_layer_version').map(({ address, body }) => [
      address,
      { zipPath: text(body['filename'], `${address}.filename`), name: text(body['layer_name'], `${address}.layer_name`) },
    ]),
  );
  const rules = resourcesOfType(json, 'aws_s3_bucket_notification').flatMap(({ address, body }) => {
    // A reference to a bucket of the stack, or an adopted bucket by its name.
    const bucketAddress = addressOf(body['bucket']) ?? buckets.find((bucket) => bucket.localName === body['bucket'])?.address;
    if (!bucketAddress) throw new Error(`${address}.bucket is not a bucket of this stack`);
    return ((body['lambda_function'] as Record<string, unknown>[] | undefined) ?? []).map((rule): NotificationRule => {
      const functionAddress = addressOf(rule['lambda_function_arn']);
      if (!functionAddress) throw new Error(`${address}: a rule targets a function outside this stack`);
      return {
        bucketAddress,
        functionAddress,
        events: rule['events'] as string[],
        ...(typeof rule['filter_prefix'] === 'string' ? { filterPrefix: rule['filter_prefix'] } : {}),
        ...(typeof rule['filter_suffix'] === 'string' ? { filterSuffix: rule['filter_suffix'] } : {}),
      };
    });
  });
  const targets = resourcesOfType(json, 'aws_cloudwatch_event_target').map(({ address, body }) => {
    const functionAddress = addressOf(body['arn']);
    if (!functionAddress?.startsWith('aws_lambda_function.')) throw new Error(`${address}: a target outside the stack's functions`);
    const deadLetters = addressOf((body['dead_letter_config'] as { arn?: string } | undefined)?.arn);
    return { rule: addressOf(body['rule']), functionAddress, ...(deadLetters ? { deadLetterQueue: deadLetters } : {}) };
  });
  const eventRules = resourcesOfType(json, 'aws_cloudwatch_event_rule').map(
    ({ address, body }): EventRuleModel => ({
      address,
      name: text(body['name'], `${address}.name`),
      pattern: JSON.parse(text(body['event_pattern'], `${address}.event_pattern`)) as Record<string, unknown>,
      targets: targets
        .filter((target) => target.rule === address)
        .map(({ functionAddress, deadLetterQueue }) => ({ functionAddress, ...(deadLetterQueue ? { deadLetterQueue } : {}) })),
    }),
  );
  const asyncInvoke = new Map(
    resourcesOfType(json, 'aws_lambda_function_event_invoke_config').map(({ address, body }) => {
      const functionAddress = addressOf(body['function_name']);
      if (!functionAddress) throw new Error(`${address}.function_name is not a reference to a function in this stack`);
      const destination = (body['destination_config'] as { on_failure?: { destination?: string } } | undefined)?.on_failure?.destination;
      return [
        functionAddress,
        {
          maximumRetryAttempts: Number(body['maximum_retry_attempts'] ?? DEFAULT_ASYNC_INVOKE.maximumRetryAttempts),
          maximumEventAgeSeconds: Number(body['maximum_event_age_in_seconds'] ?? DEFAULT_ASYNC_INVOKE.maximumEventAgeSeconds),
          ...(destination ? { onFailure: destination } : {}),
        },
      ] as const;
    }),
  );
  const queues = resourcesOfType(json, 'aws_sqs_queue').map(({ address, body }) => ({
    address,
    name: text(body['name'], `${address}.name`),
  }));
  const logGroups = new Map(
    resourcesOfType(json, 'aws_cloudwatch_log_group').map(({ address, body }) => [address, text(body['name'], `${address}.name`)]),
  );
  const roles = new Map(resourcesOfType(json, 'aws_iam_role').map(({ address, body }) => [address, text(body['name'], `${address}.name`)]));
  return { region, buckets, functions, layers, rules, eventRules, asyncInvoke, queues, logGroups, roles };
}

export interface LocalEndpoints {
  readonly accountId: string;
  /** Base URL of the local SQS server; queue URLs are `<base>/<account>/<name>`. */
  readonly sqsEndpoint: string;
}

/** The buckets uploads go to (those with notification rules), and the others, by local name. */
export function bucketRoles(model: StackModel): { readonly triggering: string[]; readonly other: string[] } {
  const triggering = (bucket: BucketModel) =>
    model.rules.some((rule) => rule.bucketAddress === bucket.address) ||
    model.eventRules.some((rule) => bucketsOfPattern(rule.pattern).includes(bucket.localName));
  return {
    triggering: model.buckets.filter(triggering).map((bucket) => bucket.localName),
    other: model.buckets.filter((bucket) => !triggering(bucket)).map((bucket) => bucket.localName),
  };
}

/** The bucket names an S3 event pattern selects (`detail.bucket.name`). */
export function bucketsOfPattern(pattern: Record<string, unknown>): string[] {
  const names = ((pattern['detail'] as { bucket?: { name?: unknown } } | undefined)?.bucket?.name ?? []) as unknown[];
  return names.filter((name): name is string => typeof name === 'string');
}

export const queueUrl = (endpoints: LocalEndpoints, name: string) => `${endpoints.sqsEndpoint}/${endpoints.accountId}/${name}`;

/** How references in the stack resolve locally; undefined for anything the runner does not model. */
export function localResolver(model: StackModel, endpoints: LocalEndpoints): (reference: Reference) => string | undefined {
  const { region } = model;
  const { accountId } = endpoints;
  const byAddress = <T extends { address: string }>(items: readonly T[], reference: Reference) =>
    items.find((item) => item.address === referenceAddress(reference));
  return (reference) => {
    switch (reference.type) {
      case 'data.aws_caller_identity':
        return reference.attribute === 'account_id' ? accountId : undefined;
      case 'data.aws_partition':
        return reference.attribute === 'partition' ? 'aws' : undefined;
      case 'aws_s3_bucket':
      case 'data.aws_s3_bucket': {
        const bucket = byAddress(model.buckets, reference);
        if (!bucket) return undefined;
        return { bucket: bucket.localName, id: bucket.localName, arn: `arn:aws:s3:::${bucket.localName}` }[reference.attribute];
      }
      case 'aws_cloudwatch_event_rule': {
        const rule = byAddress(model.eventRules, reference);
        if (!rule) return undefined;
        return { name: rule.name, id: rule.name, arn: `arn:aws:events:${region}:${accountId}:rule/${rule.name}` }[reference.attribute];
      }
      case 'aws_sqs_queue': {
        const queue = byAddress(model.queues, reference);
        if (!queue) return undefined;
        const url = queueUrl(endpoints, queue.name);
        return { url, id: url, name: queue.name, arn: `arn:aws:sqs:${region}:${accountId}:${queue.name}` }[reference.attribute];
      }
      case 'aws_lambda_function': {
        const fn = byAddress(model.functions, reference);
        if (!fn) return undefined;
        return { function_name: fn.functionName, arn: `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName}` }[
          reference.attribute
        ];
      }
      case 'aws_iam_role': {
        const name = model.roles.get(referenceAddress(reference));
        if (name === undefined) return undefined;
        return { name, id: name, arn: `arn:aws:iam::${accountId}:role/${name}` }[reference.attribute];
      }
      case 'aws_cloudwatch_log_group': {
        const name = model.logGroups.get(referenceAddress(reference));
        if (name === undefined) return undefined;
        return { name, id: name, arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}` }[reference.attribute];
      }
      default:
        return undefined;
    }
  };
}
