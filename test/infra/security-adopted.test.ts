// IAM for a stack that adopts an existing bucket (EventBridge delivery, a prefix, an SSE-KMS key),
// evaluated with the policy simulator over the synthesized stack, with mutation checks as in
// security.test.ts: the function reads the bucket and decrypts through S3, and nothing else on it.
import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../infra/policies';
import {
  mapStatements,
  type PolicyRow,
  roleRows,
  unexpectedRows,
  withIdentity,
  withoutCondition,
  withResourcePolicy,
} from '../support/policy-rows';
import { ACCOUNT, decide, deployedWorld, OTHER_ACCOUNT, type World } from '../support/policy-world';
import { devConfig, fakeArtifacts, synthStack } from '../support/stack';
import { tempDir } from '../support/tmp';

const BUCKET = 'acme-photo-uploads';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
const world = deployedWorld(
  synthStack(
    devConfig({ region: 'eu-west-1', originals: { existingBucket: BUCKET, prefix: 'uploads/', kmsKeyArn: KEY } }),
    fakeArtifacts(tempDir('security-adopted')),
  ),
);
// The key is the team's: its key policy (which KMS requires besides IAM) is the default one, letting
// the account's IAM policies decide.
for (const key of [KEY, OTHER_KEY])
  world.resourcePolicies.set(key, {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  });
const n = world.names;
const s3 = (key?: string, bucket = BUCKET) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;
const viaS3 = (context: Record<string, string> = {}) => ({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', ...context });

type Identity = 'function role' | 'EventBridge (invocation)' | 'EventBridge (dead letters)' | 'backfill role';

type Row = PolicyRow<Identity>;

const fn = roleRows<Identity>('function role', n.thumbnailRole);

const ROWS: Row[] = [
  fn('gets an upload under the prefix', 's3:GetObject', s3('uploads/2024/cat.jpg'), 'Allowed'),
  fn('gets an object outside the prefix', 's3:GetObject', s3('exports/cat.jpg'), 'Denied'),
  fn('lists the bucket under the prefix', 's3:ListBucket', s3(), 'Allowed', { 's3:prefix': 'uploads/2024/cat.jpg' }),
  fn('lists the bucket elsewhere', 's3:ListBucket', s3(), 'Denied', { 's3:prefix': 'finance/' }),
  fn('writes into the adopted bucket', 's3:PutObject', s3('uploads/cat-thumbnail.jpg'), 'Denied'),
  fn('deletes from the adopted bucket', 's3:DeleteObject', s3('uploads/cat.jpg'), 'Denied'),
  fn("rewrites the bucket's notifications", 's3:PutBucketNotification', s3(), 'Denied'),
  fn("changes the bucket's policy", 's3:PutBucketPolicy', s3(), 'Denied'),
  fn("changes the bucket's encryption", 's3:PutEncryptionConfiguration', s3(), 'Denied'),
  fn('puts a thumbnail (its own bucket)', 's3:PutObject', s3('uploads/cat-thumbnail.jpg', n.thumbnails), 'Allowed'),
  fn('decrypts an upload through S3', 'kms:Decrypt', KEY, 'Allowed', viaS3()),
  fn('decrypts without going through S3', 'kms:Decrypt', KEY, 'Denied'),
  fn('decrypts through another service', 'kms:Decrypt', KEY, 'Denied', viaS3({ 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' })),
  fn('decrypts through S3 in another region', 'kms:Decrypt', KEY, 'Denied', viaS3({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' })),
  fn('decrypts with another key', 'kms:Decrypt', OTHER_KEY, 'Denied', viaS3()),
  fn('encrypts with the key', 'kms:Encrypt', KEY, 'Denied', viaS3()),
  fn('makes a data key with it', 'kms:GenerateDataKey', KEY, 'Denied', viaS3()),
  fn('grants the key to someone', 'kms:CreateGrant', KEY, 'Denied', viaS3()),
  fn("changes the key's policy", 'kms:PutKeyPolicy', KEY, 'Denied'),
  ...(
    [
      ['EventBridge invokes for the uploads rule', 'events.amazonaws.com', n.uploadsRule ?? '', 'Allowed'],
      ['EventBridge invokes for another rule', 'events.amazonaws.com', `arn:aws:events:eu-west-1:${ACCOUNT}:rule/someone-elses`, 'Denied'],
      ['S3 invokes directly for the adopted bucket (no notification in this mode)', 's3.amazonaws.com', s3(), 'Denied'],
    ] as const
  ).map(
    ([what, principal, sourceArn, expected]): Row => ({
      who: 'EventBridge (invocation)',
      what,
      request: {
        principal,
        action: 'lambda:InvokeFunction',
        resource: n.thumbnailFunction,
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT },
      },
      expected,
    }),
  ),
  ...(
    [
      ["EventBridge leaves the rule's undelivered event", n.uploadsRule ?? '', 'true', 'Allowed'],
      ["EventBridge leaves another rule's", `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/x`, 'true', 'Denied'],
      ['it is sent without TLS', n.uploadsRule ?? '', 'false', 'Denied'],
    ] as const
  ).map(
    ([what, sourceArn, tls, expected]): Row => ({
      who: 'EventBridge (dead letters)',
      what,
      request: {
        principal: 'events.amazonaws.com',
        action: 'sqs:SendMessage',
        resource: n.deadLetterQueue ?? '',
        context: { 'aws:SourceArn': sourceArn, 'aws:SecureTransport': tls },
      },
      expected,
    }),
  ),
  ...(
    [
      ['reads an adopted upload (Batch invokes the function; it never reads objects)', 's3:GetObject', s3('uploads/cat.jpg')],
      ['decrypts with the adopted key', 'kms:Decrypt', KEY],
      ['writes into the adopted bucket', 's3:PutObject', s3('uploads/x')],
    ] as const
  ).map(
    ([what, action, resource]): Row => ({
      who: 'backfill role',
      what,
      request: { principal: n.backfillRole ?? '', action, resource, context: viaS3() },
      expected: 'Denied',
    }),
  ),
];

describe('IAM of an adopted bucket, evaluated with a policy simulator over the synthesized stack', () => {
  it.each(ROWS.map((row) => [row.who, row.what, row.expected, row] as const))('%s %s: %s', async (_, __, expected, row) => {
    expect(await decide(world, row.request)).toBe(expected);
  });
});

const sid = (name: string, change: (statement: PolicyStatement) => PolicyStatement) => (statement: PolicyStatement) =>
  statement.Sid === name ? change(statement) : statement;

const MUTATIONS: readonly [Identity, string, () => World][] = [
  [
    'function role',
    'the read widened to the whole bucket',
    () =>
      withIdentity(
        world,
        n.thumbnailRole,
        sid('ReadOriginals', (s) => ({ ...s, Resource: s3('*') })),
      ),
  ],
  [
    'function role',
    'listing without its prefix condition',
    () => withIdentity(world, n.thumbnailRole, sid('ListOriginals', withoutCondition)),
  ],
  [
    'function role',
    'decrypt without kms:ViaService and encryption context',
    () => withIdentity(world, n.thumbnailRole, sid('DecryptOriginalsThroughS3', withoutCondition)),
  ],
  [
    'function role',
    'kms:* on the key',
    () =>
      withIdentity(
        world,
        n.thumbnailRole,
        sid('DecryptOriginalsThroughS3', (s) => ({ ...s, Action: 'kms:*' })),
      ),
  ],
  [
    'function role',
    's3:* on the adopted bucket',
    () =>
      withIdentity(
        world,
        n.thumbnailRole,
        sid('ReadOriginals', (s) => ({ ...s, Action: 's3:*', Resource: [s3(), s3('*')] })),
      ),
  ],
  [
    'EventBridge (invocation)',
    'the permission without its source rule',
    () => withResourcePolicy(world, n.thumbnailFunction, (d) => mapStatements(d, withoutCondition)),
  ],
  [
    'EventBridge (invocation)',
    'the permission for S3 instead',
    () =>
      withResourcePolicy(world, n.thumbnailFunction, (d) =>
        mapStatements(d, (s) => ({ ...withoutCondition(s), Principal: { Service: 's3.amazonaws.com' } })),
      ),
  ],
  [
    'EventBridge (dead letters)',
    'the queue policy without its source rule',
    () => withResourcePolicy(world, n.deadLetterQueue ?? '', (d) => mapStatements(d, withoutCondition)),
  ],
  [
    'backfill role',
    's3:* and kms:* (service wildcards)',
    () => withIdentity(world, n.backfillRole ?? '', (s) => ({ ...s, Action: ['s3:*', 'kms:*', 'lambda:*'], Resource: '*' })),
  ],
];

describe("each identity's rows fail when its policy is loosened", () => {
  it.each(MUTATIONS)('%s: %s', async (who, _, mutate) => {
    const changed = await unexpectedRows(mutate(), ROWS, who);
    expect(changed.map((row) => row.what)).not.toEqual([]);
  });
});
