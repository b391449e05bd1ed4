import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../../infra/policies';
import { resourcesOfType } from '../../scripts/lib/terraform-json';
import {
  mapStatements,
  type PolicyRow,
  roleRows,
  unexpectedRows,
  withIdentity,
  withoutCondition,
  withResourcePolicy,
} from '../support/policy-rows';
import { ACCOUNT, anonymousPrincipal, decide, deployedWorld, OTHER_ACCOUNT, type Request, type World } from '../support/policy-world';
import { devConfig, fakeArtifacts, synthStack } from '../support/stack';
import { tempDir } from '../support/tmp';

const OPERATORS = `arn:aws:iam::${ACCOUNT}:role/operators`;
const json = synthStack(
  devConfig({
    region: 'eu-west-1',
    invokerPrincipals: [OPERATORS],
    thumbnail: {
      renditions: [
        { name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 },
        { name: 'avatar', width: 128, height: 128, fit: 'cover', format: 'webp', quality: 80 },
      ],
    },
  }),
  fakeArtifacts(tempDir('security')),
);
const world = deployedWorld(json);
const n = world.names;
const s3 = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;
const ADMIN_USER = `arn:aws:iam::${ACCOUNT}:user/admin`;
const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Who asks. Each mutation below loosens one identity's policies; its rows must then catch it. */
type Identity =
  | 'function role'
  | 'calculator role'
  | 'S3 (invocation)'
  | 'Lambda (execution trust)'
  | 'invoker role'
  | 'backfill role'
  | 'anyone (bucket policies)';

type Row = PolicyRow<Identity>;

const fnRole = roleRows<Identity>('function role', n.thumbnailRole);

const ROWS: Row[] = [
  // Execution: what the thumbnail function may touch.
  fnRole('gets an original', 's3:GetObject', s3(n.originals, 'photos/cat.jpg'), 'Allowed'),
  fnRole('puts a thumbnail', 's3:PutObject', s3(n.thumbnails, 'photos/cat-thumbnail.jpg'), 'Allowed'),
  fnRole('puts a configured rendition (avatar, WebP)', 's3:PutObject', s3(n.thumbnails, 'photos/cat-avatar.webp'), 'Allowed'),
  fnRole('puts a rendition that is not configured', 's3:PutObject', s3(n.thumbnails, 'photos/cat-preview.webp'), 'Denied'),
  fnRole('puts a configured rendition in another format', 's3:PutObject', s3(n.thumbnails, 'photos/cat-avatar.jpg'), 'Denied'),
  fnRole('deletes a configured rendition of a deleted original', 's3:DeleteObject', s3(n.thumbnails, 'photos/cat-avatar.webp'), 'Allowed'),
  fnRole('puts the thumbnail of an upper-case .JPG', 's3:PutObject', s3(n.thumbnails, 'photos/IMG_1.JPG.thumbnail.jpg'), 'Allowed'),
  fnRole('puts the avatar of a .jpeg', 's3:PutObject', s3(n.thumbnails, 'photos/x.jpeg.avatar.webp'), 'Allowed'),
  // Other input formats: photo.png's outputs are named after the whole name, apart from photo.jpg's.
  fnRole('puts the thumbnail of a PNG original', 's3:PutObject', s3(n.thumbnails, 'photos/photo.png.thumbnail.jpg'), 'Allowed'),
  fnRole('deletes the avatar of a deleted WebP original', 's3:DeleteObject', s3(n.thumbnails, 'photos/photo.webp.avatar.webp'), 'Allowed'),
  fnRole('puts a copy of a PNG original into thumbnails', 's3:PutObject', s3(n.thumbnails, 'photos/photo.png'), 'Denied'),
  fnRole('puts a key that only ends in "thumbnail.jpg"', 's3:PutObject', s3(n.thumbnails, 'photos/mythumbnail.jpg'), 'Denied'),
  fnRole("reads a thumbnail's metadata (HEAD, for idempotency)", 's3:GetObject', s3(n.thumbnails, 'photos/cat-thumbnail.jpg'), 'Allowed'),
  fnRole('deletes the thumbnail of a deleted original', 's3:DeleteObject', s3(n.thumbnails, 'photos/cat-thumbnail.jpg'), 'Allowed'),
  fnRole('writes its logs', 'logs:PutLogEvents', `${n.thumbnailLogGroup}:log-stream:2024/01/01/abc`, 'Allowed'),
  fnRole('records a failure', 'sqs:SendMessage', n.failureQueue, 'Allowed'),
  fnRole('puts an original', 's3:PutObject', s3(n.originals, 'photos/cat.jpg'), 'Denied'),
  fnRole('puts a non-thumbnail key into thumbnails', 's3:PutObject', s3(n.thumbnails, 'photos/cat.jpg'), 'Denied'),
  fnRole('reads a non-thumbnail object in thumbnails', 's3:GetObject', s3(n.thumbnails, 'private/notes.jpg'), 'Denied'),
  fnRole('deletes an original', 's3:DeleteObject', s3(n.originals, 'photos/cat.jpg'), 'Denied'),
  fnRole('deletes a bucket', 's3:DeleteBucket', s3(n.thumbnails), 'Denied'),
  fnRole('changes a bucket policy', 's3:PutBucketPolicy', s3(n.originals), 'Denied'),
  fnRole('lists originals (so a missing original is a 404, not a 403)', 's3:ListBucket', s3(n.originals), 'Allowed'),
  fnRole('lists thumbnails', 's3:ListBucket', s3(n.thumbnails), 'Denied'),
  fnRole('reads another bucket', 's3:GetObject', s3('someone-elses-bucket', 'x.jpg'), 'Denied'),
  fnRole('writes another bucket', 's3:PutObject', s3('someone-elses-bucket', 'x-thumbnail.jpg'), 'Denied'),
  fnRole('gets an original without TLS', 's3:GetObject', s3(n.originals, 'photos/cat.jpg'), 'Denied', { 'aws:SecureTransport': 'false' }),
  fnRole('creates a log group', 'logs:CreateLogGroup', `arn:aws:logs:${world.region}:${ACCOUNT}:log-group:/aws/lambda/anything`, 'Denied'),
  fnRole("writes another function's logs", 'logs:PutLogEvents', `${n.calculatorLogGroup}:log-stream:x`, 'Denied'),
  fnRole('reads the failure queue', 'sqs:ReceiveMessage', n.failureQueue, 'Denied'),
  fnRole('invokes a function', 'lambda:InvokeFunction', n.thumbnailFunction, 'Denied'),
  fnRole('creates a role (iam:*)', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/escalate`, 'Denied'),
  fnRole('passes a role (iam:*)', 'iam:PassRole', n.thumbnailRole, 'Denied'),
  fnRole('attaches a policy to itself (iam:*)', 'iam:PutRolePolicy', n.thumbnailRole, 'Denied'),
  // The calculator: logs only.
  {
    who: 'calculator role',
    what: 'writes its logs',
    request: { principal: n.calculatorRole, action: 'logs:CreateLogStream', resource: `${n.calculatorLogGroup}:log-stream:x` },
    expected: 'Allowed',
  },
  {
    who: 'calculator role',
    what: 'reads an original',
    request: { principal: n.calculatorRole, action: 's3:GetObject', resource: s3(n.originals, 'a.jpg') },
    expected: 'Denied',
  },
  {
    who: 'calculator role',
    what: "writes the thumbnail function's logs",
    request: { principal: n.calculatorRole, action: 'logs:PutLogEvents', resource: `${n.thumbnailLogGroup}:log-stream:x` },
    expected: 'Denied',
  },
  // Invocation: only S3, only for the originals bucket of this account.
  ...(
    [
      ['invokes for the originals bucket of this account', 's3.amazonaws.com', s3(n.originals), ACCOUNT, 'Allowed'],
      ['invokes on behalf of another bucket', 's3.amazonaws.com', s3('someone-elses-bucket'), ACCOUNT, 'Denied'],
      ['invokes on behalf of the thumbnails bucket', 's3.amazonaws.com', s3(n.thumbnails), ACCOUNT, 'Denied'],
      ['invokes for a same-named bucket in another account', 's3.amazonaws.com', s3(n.originals), OTHER_ACCOUNT, 'Denied'],
      ['(SNS) invokes with the originals bucket as source', 'sns.amazonaws.com', s3(n.originals), ACCOUNT, 'Denied'],
    ] as const
  ).map(
    ([what, principal, sourceArn, sourceAccount, expected]): Row => ({
      who: 'S3 (invocation)',
      what,
      request: {
        principal,
        action: 'lambda:InvokeFunction',
        resource: n.thumbnailFunction,
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
      },
      expected,
    }),
  ),
  // Execution trust: only Lambda, for this account, may assume the function's role.
  ...(
    [
      ['Lambda assumes the function role for this account', 'lambda.amazonaws.com', ACCOUNT, 'Allowed'],
      ['Lambda assumes it for another account', 'lambda.amazonaws.com', OTHER_ACCOUNT, 'Denied'],
      ['EC2 assumes the function role', 'ec2.amazonaws.com', ACCOUNT, 'Denied'],
    ] as const
  ).map(
    ([what, principal, sourceAccount, expected]): Row => ({
      who: 'Lambda (execution trust)',
      what,
      request: { principal, action: 'sts:AssumeRole', resource: n.thumbnailRole, context: { 'aws:SourceAccount': sourceAccount } },
      expected,
    }),
  ),
  {
    who: 'Lambda (execution trust)',
    what: 'an administrator in the account assumes the function role',
    request: { principal: ADMIN_USER, action: 'sts:AssumeRole', resource: n.thumbnailRole, identityPolicies: [ADMIN] },
    expected: 'Denied',
  },
  // The invoker role: assumable by the named operators only; may invoke the function, nothing else.
  {
    who: 'invoker role',
    what: 'the named operators assume it',
    request: { principal: OPERATORS, action: 'sts:AssumeRole', resource: n.invokerRole ?? '', identityPolicies: [ADMIN] },
    expected: 'Allowed',
  },
  {
    who: 'invoker role',
    what: 'someone else assumes it',
    request: {
      principal: `arn:aws:iam::${ACCOUNT}:role/intern`,
      action: 'sts:AssumeRole',
      resource: n.invokerRole ?? '',
      identityPolicies: [ADMIN],
    },
    expected: 'Denied',
  },
  {
    who: 'invoker role',
    what: 'invokes the thumbnail function',
    request: { principal: n.invokerRole ?? '', action: 'lambda:InvokeFunction', resource: n.thumbnailFunction },
    expected: 'Allowed',
  },
  {
    who: 'invoker role',
    what: 'updates the function',
    request: { principal: n.invokerRole ?? '', action: 'lambda:UpdateFunctionCode', resource: n.thumbnailFunction },
    expected: 'Denied',
  },
  {
    who: 'invoker role',
    what: 'invokes the calculator',
    request: { principal: n.invokerRole ?? '', action: 'lambda:InvokeFunction', resource: n.calculatorFunction },
    expected: 'Denied',
  },
  {
    who: 'invoker role',
    what: 'reads an original',
    request: { principal: n.invokerRole ?? '', action: 's3:GetObject', resource: s3(n.originals, 'a.jpg') },
    expected: 'Denied',
  },
  // The backfill role: S3 Batch Operations of this account only; invoke the function, read
  // manifests, write reports, nothing else (the function reads and writes images with its own role).
  ...(
    [
      ['S3 Batch Operations of this account assumes it', 'batchoperations.s3.amazonaws.com', ACCOUNT, 'Allowed'],
      ['S3 Batch Operations acting for another account assumes it', 'batchoperations.s3.amazonaws.com', OTHER_ACCOUNT, 'Denied'],
      ['Lambda assumes it', 'lambda.amazonaws.com', ACCOUNT, 'Denied'],
    ] as const
  ).map(
    ([what, principal, sourceAccount, expected]): Row => ({
      who: 'backfill role',
      what,
      request: { principal, action: 'sts:AssumeRole', resource: n.backfillRole ?? '', context: { 'aws:SourceAccount': sourceAccount } },
      expected,
    }),
  ),
  {
    who: 'backfill role',
    what: 'an administrator in the account assumes it',
    request: { principal: ADMIN_USER, action: 'sts:AssumeRole', resource: n.backfillRole ?? '', identityPolicies: [ADMIN] },
    expected: 'Denied',
  },
  ...(
    [
      ['invokes the thumbnail function', 'lambda:InvokeFunction', n.thumbnailFunction, 'Allowed'],
      ['invokes the calculator', 'lambda:InvokeFunction', n.calculatorFunction, 'Denied'],
      ['updates the function', 'lambda:UpdateFunctionCode', n.thumbnailFunction, 'Denied'],
      ['reads a manifest', 's3:GetObject', s3(n.jobBucket ?? '', 'backfill/manifests/2026-12-02.csv'), 'Allowed'],
      ['writes a completion report', 's3:PutObject', s3(n.jobBucket ?? '', 'backfill/reports/job-1/results/1.csv'), 'Allowed'],
      ["locates the job bucket (Batch checks the report bucket's region)", 's3:GetBucketLocation', s3(n.jobBucket ?? ''), 'Allowed'],
      ['writes a manifest', 's3:PutObject', s3(n.jobBucket ?? '', 'backfill/manifests/forged.csv'), 'Denied'],
      ['reads a report', 's3:GetObject', s3(n.jobBucket ?? '', 'backfill/reports/job-1/results/1.csv'), 'Denied'],
      ['writes outside the backfill prefixes', 's3:PutObject', s3(n.jobBucket ?? '', 'other/x.csv'), 'Denied'],
      ['lists the job bucket', 's3:ListBucket', s3(n.jobBucket ?? ''), 'Denied'],
      ['reads an original', 's3:GetObject', s3(n.originals, 'photos/cat.jpg'), 'Denied'],
      ['writes a thumbnail', 's3:PutObject', s3(n.thumbnails, 'photos/cat-thumbnail.jpg'), 'Denied'],
      ['deletes a thumbnail', 's3:DeleteObject', s3(n.thumbnails, 'photos/cat-thumbnail.jpg'), 'Denied'],
    ] as const
  ).map(
    ([what, action, resource, expected]): Row => ({
      who: 'backfill role',
      what,
      request: { principal: n.backfillRole ?? '', action, resource },
      expected,
    }),
  ),
  // Buckets: nothing anonymous, nothing without TLS, thumbnails written by the function role only.
  ...[n.originals, n.thumbnails, n.jobBucket ?? ''].flatMap((bucket): Row[] => [
    {
      who: 'anyone (bucket policies)',
      what: `anonymous read of ${bucket}`,
      request: { principal: anonymousPrincipal, action: 's3:GetObject', resource: s3(bucket, 'x-thumbnail.jpg') },
      expected: 'Denied',
    },
    {
      who: 'anyone (bucket policies)',
      what: `anonymous write to ${bucket}`,
      request: { principal: anonymousPrincipal, action: 's3:PutObject', resource: s3(bucket, 'x-thumbnail.jpg') },
      expected: 'Denied',
    },
    {
      who: 'anyone (bucket policies)',
      what: `an administrator reads ${bucket} without TLS`,
      request: {
        principal: ADMIN_USER,
        action: 's3:GetObject',
        resource: s3(bucket, 'x-thumbnail.jpg'),
        identityPolicies: [ADMIN],
        context: { 'aws:SecureTransport': 'false' },
      },
      expected: 'Denied',
    },
    {
      who: 'anyone (bucket policies)',
      what: `an administrator reads ${bucket} with TLS`,
      request: { principal: ADMIN_USER, action: 's3:GetObject', resource: s3(bucket, 'x-thumbnail.jpg'), identityPolicies: [ADMIN] },
      expected: 'Allowed',
    },
  ]),
  {
    who: 'anyone (bucket policies)',
    what: 'an administrator writes a thumbnail',
    request: { principal: ADMIN_USER, action: 's3:PutObject', resource: s3(n.thumbnails, 'x-thumbnail.jpg'), identityPolicies: [ADMIN] },
    expected: 'Denied',
  },
  {
    who: 'anyone (bucket policies)',
    what: 'an administrator deletes a thumbnail',
    request: { principal: ADMIN_USER, action: 's3:DeleteObject', resource: s3(n.thumbnails, 'x-thumbnail.jpg'), identityPolicies: [ADMIN] },
    expected: 'Denied',
  },
  {
    who: 'anyone (bucket policies)',
    what: 'an administrator uploads an original',
    request: { principal: ADMIN_USER, action: 's3:PutObject', resource: s3(n.originals, 'a.jpg'), identityPolicies: [ADMIN] },
    expected: 'Allowed',
  },
];

describe('IAM, evaluated with a policy simulator over the synthesized stack', () => {
  it.each(ROWS.map((row) => [row.who, row.what, row.expected, row] as const))('%s %s: %s', async (_, __, expected, row) => {
    expect(await decide(world, row.request)).toBe(expected);
  });
});

// ---- mutation: every identity's rows must notice when its policy is loosened ----

const serviceWildcard = (statement: PolicyStatement): PolicyStatement => ({
  ...statement,
  Action: [statement.Action].flat().map((action) => `${action.split(':')[0]}:*`),
});

const MUTATIONS: readonly [Identity, string, () => World][] = [
  ['function role', 'every action widened to its service wildcard', () => withIdentity(world, n.thumbnailRole, serviceWildcard)],
  ['function role', 'every resource widened to "*"', () => withIdentity(world, n.thumbnailRole, (s) => ({ ...s, Resource: '*' }))],
  [
    'function role',
    'thumbnail keys widened to the whole bucket',
    () =>
      withIdentity(world, n.thumbnailRole, (s) => ({
        ...s,
        Resource: [s.Resource ?? []].flat().map((r) => r.replace(/\/\*-thumbnail.*$/, '/*')),
      })),
  ],
  [
    'calculator role',
    'logs:* on every log group',
    () => withIdentity(world, n.calculatorRole, (s) => ({ ...serviceWildcard(s), Resource: '*' })),
  ],
  [
    'S3 (invocation)',
    'no source ARN or account condition',
    () => withResourcePolicy(world, n.thumbnailFunction, (d) => mapStatements(d, withoutCondition)),
  ],
  [
    'S3 (invocation)',
    'source account dropped',
    () =>
      withResourcePolicy(world, n.thumbnailFunction, (d) =>
        mapStatements(d, (s) => ({ ...s, Condition: { ArnLike: s.Condition?.['ArnLike'] ?? {} } })),
      ),
  ],
  [
    'Lambda (execution trust)',
    'no aws:SourceAccount condition',
    () => withResourcePolicy(world, n.thumbnailRole, (d) => mapStatements(d, withoutCondition)),
  ],
  [
    'Lambda (execution trust)',
    'the whole account trusted',
    () =>
      withResourcePolicy(world, n.thumbnailRole, (d) =>
        mapStatements(d, (s) => ({
          ...withoutCondition(s),
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root`, Service: 'lambda.amazonaws.com' },
        })),
      ),
  ],
  ['invoker role', 'lambda:* on its function', () => withIdentity(world, n.invokerRole ?? '', serviceWildcard)],
  [
    'invoker role',
    'trusted by the whole account',
    () =>
      withResourcePolicy(world, n.invokerRole ?? '', (d) =>
        mapStatements(d, (s) => ({ ...s, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })),
      ),
  ],
  ['backfill role', 'lambda:* and s3:* (service wildcards)', () => withIdentity(world, n.backfillRole ?? '', serviceWildcard)],
  [
    'backfill role',
    'manifest and report prefixes widened to the whole job bucket',
    () =>
      withIdentity(world, n.backfillRole ?? '', (s) => ({
        ...s,
        Resource: [s.Resource ?? []].flat().map((r) => r.replace(/\/backfill\/(manifests|reports)\/\*$/, '/*')),
      })),
  ],
  [
    'backfill role',
    'trusted without aws:SourceAccount',
    () => withResourcePolicy(world, n.backfillRole ?? '', (d) => mapStatements(d, withoutCondition)),
  ],
  [
    'anyone (bucket policies)',
    'the job bucket without the TLS rule',
    () => withResourcePolicy(world, `arn:aws:s3:::${n.jobBucket}`, (d) => ({ ...d, Statement: [] })),
  ],
  [
    'anyone (bucket policies)',
    'originals without the TLS rule',
    () => withResourcePolicy(world, `arn:aws:s3:::${n.originals}`, (d) => ({ ...d, Statement: [] })),
  ],
  [
    'anyone (bucket policies)',
    'thumbnails without the writer-only rule',
    () =>
      withResourcePolicy(world, `arn:aws:s3:::${n.thumbnails}`, (d) => ({
        ...d,
        Statement: d.Statement.filter((s) => s.Sid !== 'OnlyTheThumbnailFunctionWrites'),
      })),
  ],
  [
    'anyone (bucket policies)',
    'thumbnails made public: an allow-anyone statement, and the public access block off',
    () => {
      const next = withResourcePolicy(world, `arn:aws:s3:::${n.thumbnails}`, (d) => ({
        ...d,
        Statement: [
          ...d.Statement,
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${n.thumbnails}/*` },
        ],
      }));
      next.publicAccessRestricted.delete(n.thumbnails);
      return next;
    },
  ],
];

describe("each identity's rows fail when its policy is loosened", () => {
  it.each(MUTATIONS)('%s: %s', async (who, _, mutate) => {
    const changed = await unexpectedRows(mutate(), ROWS, who);
    expect(changed.map((row) => row.what)).not.toEqual([]);
  });
});

describe('policy hygiene', () => {
  const documents = [
    ...resourcesOfType(json, 'aws_iam_role_policy').map(({ body }) => JSON.parse(String(body['policy'])) as PolicyDocument),
  ];

  it('has no "*" action or resource, and no service-wide action, in any role policy', () => {
    for (const statement of documents.flatMap((document) => document.Statement)) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/^\*$|:\*$/);
      for (const resource of [statement.Resource ?? []].flat()) expect(resource).not.toBe('*');
    }
  });

  it('attaches no managed policy to any role', () => {
    expect(resourcesOfType(json, 'aws_iam_role_policy_attachment')).toEqual([]);
    for (const { body } of resourcesOfType(json, 'aws_iam_role')) expect(body['managed_policy_arns']).toBeUndefined();
  });

  it('creates no backfill role or job bucket when backfills are disabled', () => {
    const plain = synthStack(
      devConfig({ backfill: { enabled: false, retentionDays: 30, inventory: false } }),
      fakeArtifacts(tempDir('no-backfill')),
    );
    expect(resourcesOfType(plain, 'aws_iam_role').map(({ body }) => body['name'])).not.toContain('thumbnails-dev-backfill');
    expect(resourcesOfType(plain, 'aws_s3_bucket').map(({ body }) => body['bucket_prefix'])).not.toContain('thumbnails-dev-jobs-');
  });

  it('creates no invoker role when no principal is named', () => {
    const plain = synthStack(devConfig(), fakeArtifacts(tempDir('no-invoker')));
    expect(resourcesOfType(plain, 'aws_iam_role').map(({ body }) => body['name'])).not.toContain('thumbnails-dev-invoker');
  });
});

describe('with backfill.inventory, S3 delivers the originals inventory into the job bucket, and nothing else may', () => {
  const inventoryWorld = deployedWorld(
    synthStack(
      devConfig({ region: 'eu-west-1', backfill: { enabled: true, retentionDays: 30, inventory: true } }),
      fakeArtifacts(tempDir('inventory')),
    ),
  );
  const names = inventoryWorld.names;
  const deliver = (sourceBucket: string, key: string, sourceAccount = ACCOUNT): Request => ({
    principal: 's3.amazonaws.com',
    action: 's3:PutObject',
    resource: s3(names.jobBucket ?? '', key),
    context: { 'aws:SourceArn': s3(sourceBucket), 'aws:SourceAccount': sourceAccount },
  });
  it.each([
    [
      'the originals inventory, under the inventory prefix',
      deliver(names.originals, 'backfill/manifests/inventory/x/backfill/data/1.csv.gz'),
      'Allowed',
    ],
    ["another bucket's inventory", deliver('someone-elses-bucket', 'backfill/manifests/inventory/y/data/1.csv.gz'), 'Denied'],
    [
      'the originals inventory for another account',
      deliver(names.originals, 'backfill/manifests/inventory/x/data/1.csv.gz', OTHER_ACCOUNT),
      'Denied',
    ],
    ['anything outside the inventory prefix', deliver(names.originals, 'backfill/manifests/forged.csv'), 'Denied'],
  ] as const)('%s: %s', async (_, request, expected) => {
    expect(await decide(inventoryWorld, request)).toBe(expected);
  });

  it('the backfill role may read what S3 delivers there', async () => {
    expect(
      await decide(inventoryWorld, {
        principal: names.backfillRole ?? '',
        action: 's3:GetObject',
        resource: s3(names.jobBucket ?? '', 'backfill/manifests/inventory/x/backfill/2026-12-01T01-00Z/manifest.json'),
      }),
    ).toBe('Allowed');
  });
});
