import { describe, expect, it } from 'vitest';
import { ImageBuckets } from '../../../infra/constructs/image-buckets';
import { synthConstruct } from '../../support/construct';

const WRITER = 'arn:aws:iam::111122223333:role/thumbnail-execution';

describe('ImageBuckets', () => {
  const scope = synthConstruct((s) =>
    new ImageBuckets(s, 'buckets', {
      namePrefix: 'p',
      createOriginals: true,
      forceDestroy: false,
      originalsVersioning: false,
    }).restrictAccess(WRITER),
  );

  it('makes two separate hardened buckets, originals and thumbnails', () => {
    expect(
      scope
        .all('aws_s3_bucket')
        .map((bucket) => bucket.body['bucket_prefix'])
        .sort(),
    ).toEqual(['p-originals-', 'p-thumbnails-']);
    expect(scope.all('aws_s3_bucket_public_access_block')).toHaveLength(2);
  });

  it('puts a TLS-only policy on each, after its public-access block, and lets only the writer role write thumbnails', () => {
    const policies = scope.all('aws_s3_bucket_policy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.body['depends_on']).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
      expect(JSON.parse(policy.body['policy'] as string).Statement[0]).toMatchObject({ Sid: 'DenyInsecureTransport', Effect: 'Deny' });
    }
    const statements = policies.flatMap((policy) => JSON.parse(policy.body['policy'] as string).Statement);
    expect(statements.find((statement: { Sid: string }) => statement.Sid === 'OnlyTheThumbnailFunctionWrites')).toMatchObject({
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': WRITER } },
    });
  });
});
