/**
 * The synthesized stack as IAM would see it once deployed: every policy from cdk.tf.json with its
 * Terraform references replaced by example ARNs (account 111122223333), evaluated with a real IAM
 * policy simulator (@cloud-copilot/iam-simulate).
 */

import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';
import { ENV } from '../../handlers/thumbnail/constants';
import { type PolicyDocument, type PolicyStatement, policy } from '../../infra/policies';
import { resourcesOfType, type TerraformJson } from '../../scripts/lib/terraform-json';
import { parseReference, referenceAddress, resolveReferences } from '../../scripts/lib/terraform-refs';
import { localResolver, readStackModel } from '../../scripts/local/stack-model';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

export interface World {
  readonly region: string;
  /** Role ARN -> its inline policies. */
  readonly identityPolicies: Map<string, PolicyDocument[]>;
  /** Resource ARN (bucket, function, role, queue) -> its resource policy. */
  readonly resourcePolicies: Map<string, PolicyDocument>;
  /** Buckets whose public access block restricts public bucket policies (RestrictPublicBuckets). */
  readonly publicAccessRestricted: Set<string>;
  readonly names: {
    readonly originals: string;
    readonly thumbnails: string;
    readonly thumbnailRole: string;
    readonly calculatorRole: string;
    readonly invokerRole?: string;
    /** The role S3 Batch Operations assumes for backfills, and its job bucket (when backfills are enabled). */
    readonly backfillRole?: string;
    readonly jobBucket?: string;
    readonly thumbnailFunction: string;
    readonly calculatorFunction: string;
    readonly failureQueue: string;
    /** An adopted bucket's EventBridge rule and the queue of the events it could not deliver. */
    readonly uploadsRule?: string;
    readonly deadLetterQueue?: string;
    readonly thumbnailLogGroup: string;
    readonly calculatorLogGroup: string;
  };
}

/** What Lambda stores for an aws_lambda_permission: one resource-policy statement on the function. */
export function permissionStatement(body: Record<string, unknown>, functionArn: string): PolicyStatement {
  const condition: Record<string, Record<string, string>> = {};
  if (typeof body['source_arn'] === 'string') condition['ArnLike'] = { 'AWS:SourceArn': body['source_arn'] };
  if (typeof body['source_account'] === 'string') condition['StringEquals'] = { 'AWS:SourceAccount': body['source_account'] };
  return {
    Sid: String(body['statement_id']),
    Effect: 'Allow',
    Principal: { Service: String(body['principal']) },
    Action: String(body['action']),
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

export function deployedWorld(json: TerraformJson): World {
  const model = readStackModel(json);
  const resolve = (value: string) =>
    resolveReferences(value, localResolver(model, { accountId: ACCOUNT, sqsEndpoint: 'https://sqs.example' }));
  const parse = (value: unknown) => JSON.parse(resolve(String(value))) as PolicyDocument;
  const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  const identityPolicies = new Map<string, PolicyDocument[]>();
  const resourcePolicies = new Map<string, PolicyDocument>();
  const roleNames = [...model.roles.values()];
  for (const { body } of resourcesOfType(json, 'aws_iam_role'))
    resourcePolicies.set(roleArn(String(body['name'])), parse(body['assume_role_policy']));
  for (const { body } of resourcesOfType(json, 'aws_iam_role_policy')) {
    const reference = parseReference(String(body['role']));
    const role = reference ? model.roles.get(referenceAddress(reference)) : undefined;
    if (!role) throw new Error(`policy for an unknown role: ${String(body['role'])}`);
    identityPolicies.set(roleArn(role), [...(identityPolicies.get(roleArn(role)) ?? []), parse(body['policy'])]);
  }
  for (const { body } of resourcesOfType(json, 'aws_s3_bucket_policy'))
    resourcePolicies.set(`arn:aws:s3:::${resolve(String(body['bucket']))}`, parse(body['policy']));
  for (const { body } of resourcesOfType(json, 'aws_sqs_queue_policy')) {
    const url = resolve(String(body['queue_url']));
    resourcePolicies.set(`arn:aws:sqs:${model.region}:${ACCOUNT}:${url.split('/').pop()}`, parse(body['policy']));
  }
  for (const { body } of resourcesOfType(json, 'aws_lambda_permission')) {
    const functionArn = `arn:aws:lambda:${model.region}:${ACCOUNT}:function:${resolve(String(body['function_name']))}`;
    const existing = resourcePolicies.get(functionArn)?.Statement ?? [];
    const resolvedBody = Object.fromEntries(
      Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? resolve(value) : value]),
    );
    resourcePolicies.set(functionArn, policy(...existing, permissionStatement(resolvedBody, functionArn)));
  }

  const publicAccessRestricted = new Set(
    resourcesOfType(json, 'aws_s3_bucket_public_access_block')
      .filter(({ body }) => body['restrict_public_buckets'] === true)
      .map(({ body }) => resolve(String(body['bucket']))),
  );

  const fn = (source: string) => model.functions.find((candidate) => candidate.source === source);
  const functionArn = (source: string) => `arn:aws:lambda:${model.region}:${ACCOUNT}:function:${fn(source)?.functionName}`;
  const logGroupArn = (source: string) => `arn:aws:logs:${model.region}:${ACCOUNT}:log-group:/aws/lambda/${fn(source)?.functionName}`;
  const thumbnailEnv = fn('thumbnail')?.environment ?? {};
  const invoker = roleNames.find((name) => name.endsWith('-invoker'));
  const backfill = roleNames.find((name) => name.endsWith('-backfill'));
  const jobBucket = model.buckets.find((bucket) => bucket.localName.includes('-jobs-'))?.localName;
  const queueArn = (name: string) => `arn:aws:sqs:${model.region}:${ACCOUNT}:${name}`;
  const [rule] = model.eventRules;
  const deadLetterAddress = rule?.targets[0]?.deadLetterQueue;
  const deadLetters = model.queues.find((queue) => queue.address === deadLetterAddress)?.name;
  return {
    region: model.region,
    identityPolicies,
    resourcePolicies,
    publicAccessRestricted,
    names: {
      originals: resolve(thumbnailEnv[ENV.sourceBucket] ?? ''),
      thumbnails: resolve(thumbnailEnv[ENV.destinationBucket] ?? ''),
      thumbnailRole: roleArn(roleNames.find((name) => name.endsWith('-thumbnail-execution')) ?? ''),
      calculatorRole: roleArn(roleNames.find((name) => name.endsWith('-calculator-execution')) ?? ''),
      ...(invoker ? { invokerRole: roleArn(invoker) } : {}),
      ...(backfill ? { backfillRole: roleArn(backfill) } : {}),
      ...(jobBucket ? { jobBucket } : {}),
      thumbnailFunction: functionArn('thumbnail'),
      calculatorFunction: functionArn('calculator'),
      failureQueue: queueArn(
        resolve(thumbnailEnv[ENV.failureQueueUrl] ?? '')
          .split('/')
          .pop() ?? '',
      ),
      ...(rule ? { uploadsRule: `arn:aws:events:${model.region}:${ACCOUNT}:rule/${rule.name}` } : {}),
      ...(deadLetters ? { deadLetterQueue: queueArn(deadLetters) } : {}),
      thumbnailLogGroup: logGroupArn('thumbnail'),
      calculatorLogGroup: logGroupArn('calculator'),
    },
  };
}

export type Principal = string | typeof anonymousPrincipal;

export interface Request {
  /** A role ARN (its inline policies apply), a service principal, a user ARN or anonymous. */
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** Identity policies of a principal outside the stack (an administrator, say). */
  readonly identityPolicies?: readonly PolicyDocument[];
  readonly resourceAccount?: string;
}

/** The resource policy that governs a resource ARN: its bucket's, its function's, its role's trust, its queue's. */
function resourcePolicyFor(world: World, resource: string): PolicyDocument | undefined {
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
  if (bucket) return world.resourcePolicies.get(`arn:aws:s3:::${bucket}`);
  return world.resourcePolicies.get(resource.replace(/:\$LATEST$/, ''));
}

export type Decision = 'Allowed' | 'Denied';

/** A role acts through a session: the request comes from the session, aws:PrincipalArn names the role. */
function caller(principal: Principal): { principal: Principal; context: Record<string, string> } {
  if (typeof principal !== 'string' || !principal.startsWith('arn:')) return { principal, context: {} };
  const role = /^arn:aws:iam::([0-9]{12}):role\/(.+)$/.exec(principal);
  const context = { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': principal.split(':')[4] ?? ACCOUNT };
  return role ? { principal: `arn:aws:sts::${role[1]}:assumed-role/${role[2]}/session`, context } : { principal, context };
}

export async function decide(world: World, request: Request): Promise<Decision> {
  const ownPolicies = typeof request.principal === 'string' ? (world.identityPolicies.get(request.principal) ?? []) : [];
  const { principal, context } = caller(request.principal);
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(request.resource)?.[1];
  const resourcePolicy = resourcePolicyFor(world, request.resource);
  const result = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...context, ...request.context },
      },
      identityPolicies: [...ownPolicies, ...(request.identityPolicies ?? [])].map((policy, i) => ({ name: `policy-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(bucket ? { additionalSettings: { s3: { blockPublicAccess: world.publicAccessRestricted.has(bucket) } } } : {}),
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`simulation error for ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
}

export { anonymousPrincipal };
