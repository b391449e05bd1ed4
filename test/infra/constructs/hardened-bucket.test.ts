import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { HardenedBucket } from '../../../infra/constructs/hardened-bucket';
import { refTo, synthConstruct } from '../../support/construct';

describe('HardenedBucket', () => {
  const synth = (versioning: boolean) =>
    synthConstruct((scope) => new HardenedBucket(scope, 'b', { bucketPrefix: 'p-originals-', forceDestroy: true, versioning }));

  it('makes a bucket named from its prefix, with all four public-access blocks', () => {
    const scope = synth(false);
    expect(Testing.toHaveResourceWithProperties(scope.text, 'aws_s3_bucket', { bucket_prefix: 'p-originals-', force_destroy: true })).toBe(
      true,
    );
    const bucket = scope.only('aws_s3_bucket');
    expect(scope.only('aws_s3_bucket_public_access_block').body).toMatchObject({
      bucket: refTo(bucket, 'id'),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('encrypts by default and disables ACLs', () => {
    const scope = synth(false);
    expect(scope.only('aws_s3_bucket_server_side_encryption_configuration').body['rule']).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
    expect(scope.only('aws_s3_bucket_ownership_controls').body['rule']).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('turns versioning on only when asked', () => {
    expect(synth(false).all('aws_s3_bucket_versioning')).toEqual([]);
    expect(synth(true).only('aws_s3_bucket_versioning').body['versioning_configuration']).toEqual({ status: 'Enabled' });
  });
});
