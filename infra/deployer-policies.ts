/**
 * Least-privilege policies for the identities that run Terraform on this stack: one for
 * `terraform plan` (reads only, plus the state lock file), one for `terraform apply`/`destroy`.
 * Every resource is scoped to the environment's name prefix, region and account. Pure.
 */

import { type PolicyDocument, type PolicyStatement, policy } from './policies';

export interface DeployerScope {
  readonly namePrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** The S3 backend, when state is remote. */
  readonly stateBucket?: string;
  readonly stateKey?: string;
}

/** ARN patterns for everything the stack creates, from the name prefix. */
export function stackResourceArns(scope: DeployerScope) {
  const { namePrefix: p, region: r, accountId: a } = scope;
  return {
    buckets: [`arn:aws:s3:::${p}-originals-*`, `arn:aws:s3:::${p}-thumbnails-*`],
    objects: [`arn:aws:s3:::${p}-originals-*/*`, `arn:aws:s3:::${p}-thumbnails-*/*`],
    functions: [`arn:aws:lambda:${r}:${a}:function:${p}-*`],
    layers: [`arn:aws:lambda:${r}:${a}:layer:${p}-*`],
    layerVersions: [`arn:aws:lambda:${r}:${a}:layer:${p}-*:*`],
    roles: [`arn:aws:iam::${a}:role/${p}-*`],
    logGroups: [`arn:aws:logs:${r}:${a}:log-group:/aws/lambda/${p}-*`, `arn:aws:logs:${r}:${a}:log-group:/aws/lambda/${p}-*:*`],
    queues: [`arn:aws:sqs:${r}:${a}:${p}-*`],
    alarms: [`arn:aws:cloudwatch:${r}:${a}:alarm:${p}-*`],
  };
}

/** What refreshing each resource type reads (the AWS provider's Read functions). */
export const READ_ACTIONS = {
  buckets: [
    's3:ListBucket',
    's3:GetBucketLocation',
    's3:GetBucketAcl',
    's3:GetBucketCORS',
    's3:GetBucketWebsite',
    's3:GetBucketVersioning',
    's3:GetAccelerateConfiguration',
    's3:GetBucketRequestPayment',
    's3:GetBucketLogging',
    's3:GetLifecycleConfiguration',
    's3:GetReplicationConfiguration',
    's3:GetEncryptionConfiguration',
    's3:GetBucketObjectLockConfiguration',
    's3:GetBucketTagging',
    's3:GetBucketPolicy',
    's3:GetBucketPublicAccessBlock',
    's3:GetBucketOwnershipControls',
    's3:GetBucketNotification',
  ],
  functions: [
    'lambda:GetFunction',
    'lambda:GetFunctionConfiguration',
    'lambda:GetFunctionCodeSigningConfig',
    'lambda:GetFunctionConcurrency',
    'lambda:GetFunctionEventInvokeConfig',
    'lambda:GetFunctionRecursionConfig',
    'lambda:GetPolicy',
    'lambda:ListVersionsByFunction',
    'lambda:ListTags',
  ],
  layerVersions: ['lambda:GetLayerVersion'],
  roles: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags'],
  logGroups: ['logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
  queues: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags'],
  alarms: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
} as const;

/** What creating, changing and deleting each resource type needs, on top of reading it. */
export const WRITE_ACTIONS = {
  buckets: [
    's3:CreateBucket',
    's3:DeleteBucket',
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
    's3:PutBucketPublicAccessBlock',
    's3:PutEncryptionConfiguration',
    's3:PutBucketOwnershipControls',
    's3:PutBucketVersioning',
    's3:PutBucketNotification',
    's3:PutBucketTagging',
    // force_destroy on throwaway environments empties the bucket first
    's3:ListBucketVersions',
  ],
  objects: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  functions: [
    'lambda:CreateFunction',
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:DeleteFunction',
    'lambda:AddPermission',
    'lambda:RemovePermission',
    'lambda:PutFunctionEventInvokeConfig',
    'lambda:UpdateFunctionEventInvokeConfig',
    'lambda:DeleteFunctionEventInvokeConfig',
    'lambda:PutFunctionRecursionConfig',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:TagResource',
    'lambda:UntagResource',
  ],
  layers: ['lambda:PublishLayerVersion'],
  layerVersions: ['lambda:DeleteLayerVersion'],
  roles: [
    'iam:CreateRole',
    'iam:DeleteRole',
    'iam:UpdateRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:TagRole',
    'iam:UntagRole',
  ],
  logGroups: [
    'logs:CreateLogGroup',
    'logs:DeleteLogGroup',
    'logs:PutRetentionPolicy',
    'logs:DeleteRetentionPolicy',
    'logs:TagResource',
    'logs:UntagResource',
    'logs:TagLogGroup',
  ],
  queues: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
  alarms: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
} as const;

const sid = (text: string) => text.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

function statements(
  actions: Readonly<Record<string, readonly string[]>>,
  arns: Readonly<Record<string, readonly string[]>>,
  verb: string,
): PolicyStatement[] {
  return Object.entries(actions).map(([kind, list]) => ({
    Sid: sid(`${verb} ${kind}`),
    Effect: 'Allow',
    Action: [...list],
    Resource: [...(arns[kind] ?? [])],
  }));
}

function stateStatements(scope: DeployerScope, write: boolean): PolicyStatement[] {
  if (!scope.stateBucket || !scope.stateKey) return [];
  const bucket = `arn:aws:s3:::${scope.stateBucket}`;
  return [
    { Sid: 'StateBucketList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
    {
      Sid: 'StateRead',
      Effect: 'Allow',
      Action: write ? ['s3:GetObject', 's3:PutObject'] : 's3:GetObject',
      Resource: `${bucket}/${scope.stateKey}`,
    },
    // S3-native locking: plan and apply both take the lock by writing <key>.tflock, and remove it.
    {
      Sid: 'StateLock',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `${bucket}/${scope.stateKey}.tflock`,
    },
  ];
}

/** Listing log groups cannot be scoped to a resource: it is the one statement with Resource "*". */
const DESCRIBE_LOG_GROUPS: PolicyStatement = { Sid: 'ReadLogGroupList', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' };

/** `terraform plan`: read every resource of the stack and the state; change nothing but the lock file. */
export function deployerPlanPolicy(scope: DeployerScope): PolicyDocument {
  return policy(...statements(READ_ACTIONS, stackResourceArns(scope), 'read'), DESCRIBE_LOG_GROUPS, ...stateStatements(scope, false));
}

/** `terraform apply` and `destroy`: the plan rights, plus creating, changing and deleting the stack's resources. */
export function deployerApplyPolicy(scope: DeployerScope): PolicyDocument {
  const arns = stackResourceArns(scope);
  return policy(
    ...statements(READ_ACTIONS, arns, 'read'),
    DESCRIBE_LOG_GROUPS,
    ...statements(WRITE_ACTIONS, arns, 'write'),
    {
      // Only the stack's own roles, and only to Lambda.
      Sid: 'PassStackRolesToLambda',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: arns.roles,
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    },
    ...stateStatements(scope, true),
  );
}

export const GITHUB_OIDC_PROVIDER = 'token.actions.githubusercontent.com';

/**
 * Trust policy for a role that GitHub Actions assumes through OIDC: only workflows of `repository`,
 * and only in the given context (`pull_request`, or `environment:production`), with AWS STS as audience.
 */
export function githubOidcTrustPolicy(
  accountId: string,
  repository: string,
  context: 'pull_request' | 'ref:refs/heads/main' | `environment:${string}`,
): PolicyDocument {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new Error(`GitHub repository must be owner/name, got "${repository}"`);
  return policy({
    Sid: 'GitHubActionsOfThisRepository',
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_PROVIDER}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_PROVIDER}:aud`]: 'sts.amazonaws.com',
        [`${GITHUB_OIDC_PROVIDER}:sub`]: `repo:${repository}:${context}`,
      },
    },
  });
}
