import { describe, expect, it } from 'vitest';
import { resourcesOfType, type TerraformJson } from '../../../scripts/lib/terraform-json';
import { devConfig, fakeArtifacts, synthStack } from '../../support/stack';
import { tempDir } from '../../support/tmp';

const KEY = 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const synth = (originals: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  synthStack(devConfig({ originals: { existingBucket: 'acme-photo-uploads', ...originals }, ...extra }), fakeArtifacts(tempDir('adopted')));

/** Every resource of the stack whose type is one of S3's bucket-level resources (aws_s3_bucket*). */
const bucketResources = (json: TerraformJson) =>
  Object.keys(json.resource)
    .filter((type) => type.startsWith('aws_s3_bucket'))
    .flatMap((type) => resourcesOfType(json, type));

const lookupOf = (json: TerraformJson) => Object.keys(json.data?.['aws_s3_bucket'] ?? {}).map((name) => `data.aws_s3_bucket.${name}`);

/** Does a resource's bucket attribute name the adopted bucket (literally, or through its lookup)? */
const namesAdopted = (json: TerraformJson, body: Record<string, unknown>) =>
  body['bucket'] === 'acme-photo-uploads' || lookupOf(json).some((address) => String(body['bucket']).includes(address));

describe('a stack adopting an existing bucket, EventBridge delivery (the default)', () => {
  const json = synth({ prefix: 'uploads/', kmsKeyArn: KEY });

  it('manages nothing of the bucket: no aws_s3_bucket* resource names it, it is only looked up', () => {
    expect(lookupOf(json)).toHaveLength(1);
    expect(
      bucketResources(json)
        .filter(({ body }) => namesAdopted(json, body))
        .map(({ address }) => address),
    ).toEqual([]);
    expect(resourcesOfType(json, 'aws_s3_bucket').map(({ body }) => body['bucket_prefix'])).toEqual([
      'thumbnails-dev-jobs-',
      'thumbnails-dev-thumbnails-',
    ]);
    expect(resourcesOfType(json, 'aws_s3_bucket_notification')).toEqual([]);
  });

  it('serves the bucket under the prefix, and reads it with the lookup', () => {
    const [fn] = resourcesOfType(json, 'aws_lambda_function').filter(({ body }) => body['function_name'] === 'thumbnails-dev-thumbnail');
    const variables = (fn?.body['environment'] as { variables: Record<string, string> } | undefined)?.variables ?? {};
    expect(variables['SOURCE_BUCKET']).toBe(`\${${lookupOf(json)[0]}.bucket}`);
    expect(variables['SOURCE_PREFIX']).toBe('uploads/');
    expect(json.output?.['originals_bucket']?.value).toBe(`\${${lookupOf(json)[0]}.bucket}`);
  });

  it('gives the function its read of the bucket under the prefix, and decryption through S3 with the key', () => {
    const [policy] = resourcesOfType(json, 'aws_iam_role_policy').filter(({ body }) => String(body['role']).includes('thumbnail-role'));
    const statements = JSON.parse(String(policy?.body['policy'])).Statement as { Sid: string; Action: unknown; Resource: unknown }[];
    const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    expect(bySid['ReadOriginals']?.Resource).toBe(`\${${lookupOf(json)[0]}.arn}/uploads/*`);
    expect(bySid['DecryptOriginalsThroughS3']).toMatchObject({ Action: 'kms:Decrypt', Resource: KEY });
  });

  it('adds the S3 Inventory to the bucket only when its config asks for it', () => {
    expect(resourcesOfType(json, 'aws_s3_bucket_inventory')).toEqual([]);
    const withInventory = synth({}, { backfill: { enabled: true, retentionDays: 30, inventory: true } });
    expect(resourcesOfType(withInventory, 'aws_s3_bucket_inventory').map(({ body }) => body['bucket'])).toEqual([
      `\${${lookupOf(withInventory)[0]}.bucket}`,
    ]);
  });
});

describe('a stack adopting an existing bucket, notification delivery (opt-in)', () => {
  const json = synth({ delivery: 'notification', prefix: 'uploads/' });

  it('writes exactly one resource on the bucket: the notification, carrying the existing ones over, undestroyable by plain terraform', () => {
    expect(
      bucketResources(json)
        .filter(({ body }) => namesAdopted(json, body))
        .map(({ type }) => type),
    ).toEqual(['aws_s3_bucket_notification']);
    const [notification] = resourcesOfType(json, 'aws_s3_bucket_notification');
    expect(notification?.body['lifecycle']).toEqual({ prevent_destroy: true });
    expect(Object.keys(notification?.body['dynamic'] as object).sort()).toEqual(['lambda_function', 'queue', 'topic']);
    expect(resourcesOfType(json, 'aws_cloudwatch_event_rule')).toEqual([]);
  });
});
