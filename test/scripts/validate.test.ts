import { describe, expect, it } from 'vitest';
import type { TerraformJson } from '../../scripts/lib/terraform-json';
import { adoptedBucketDefaults, expectedValues, referencedAddresses, testFilesFor, withExpectedValues } from '../../scripts/validate';
import { devConfig } from '../support/stack';

describe('referencedAddresses', () => {
  it('names the resources an HCL test refers to, ignoring comments', () => {
    const hcl = '# aws_s3_bucket.commented_out\nassert { condition = aws_s3_bucket.a_1-B.arn == aws_sqs_queue.q.arn }\n';
    expect(referencedAddresses(hcl)).toEqual(['aws_s3_bucket.a_1-B', 'aws_sqs_queue.q']);
  });

  it('names data sources with their data. prefix, not as resources', () => {
    expect(referencedAddresses('target = data.aws_s3_bucket.adopted_X\ncondition = aws_s3_bucket.own.arn')).toEqual([
      'data.aws_s3_bucket.adopted_X',
      'aws_s3_bucket.own',
    ]);
  });
});

describe('withExpectedValues', () => {
  it('writes expected values where HCL reads no variable, and refuses a name it does not have', () => {
    expect(withExpectedValues('bucket_region = "@expected_region@"', { expected_region: 'eu-west-1' })).toBe('bucket_region = "eu-west-1"');
    expect(() => withExpectedValues('"@expected_nothing@"', { expected_region: 'x' })).toThrow(
      /@expected_nothing@: no such expected value/,
    );
  });
});

describe('adoptedBucketDefaults', () => {
  it("gives an adopted bucket's variables the values of a bucket ready for the stack, only where the stack declares them", () => {
    const json = (variable: Record<string, unknown>) =>
      ({ resource: {}, terraform: {}, provider: {}, variable }) as unknown as TerraformJson;
    expect(adoptedBucketDefaults(json({}))).toEqual({});
    expect(adoptedBucketDefaults(json({ adopted_bucket_eventbridge: {} }))).toEqual({ adopted_bucket_eventbridge: true });
    expect(adoptedBucketDefaults(json({ adopted_bucket_notifications: {} }))).toEqual({
      adopted_bucket_notifications: { eventbridge: false, lambda_function: [], queue: [], topic: [] },
    });
  });
});

describe('testFilesFor', () => {
  it('leaves out a test file naming a resource the stack does not have (alarms where they are off)', () => {
    const json = { resource: { aws_s3_bucket: { a: {} } }, terraform: {}, provider: {} } as TerraformJson;
    const files = testFilesFor(json, [
      { name: 'stack.tftest.hcl', text: 'aws_s3_bucket.a' },
      { name: 'alarms.tftest.hcl', text: 'aws_cloudwatch_metric_alarm.alarms_errors_X' },
    ]);
    expect(files.map((file) => [file.name, file.missing])).toEqual([
      ['stack.tftest.hcl', []],
      ['alarms.tftest.hcl', ['aws_cloudwatch_metric_alarm.alarms_errors_X']],
    ]);
  });

  it('looks data sources up among the data sources', () => {
    const json = { resource: {}, data: { aws_s3_bucket: { adopted: {} } }, terraform: {}, provider: {} } as TerraformJson;
    const [file] = testFilesFor(json, [{ name: 'adopted.tftest.hcl', text: 'data.aws_s3_bucket.adopted data.aws_s3_bucket.gone' }]);
    expect(file?.missing).toEqual(['data.aws_s3_bucket.gone']);
  });
});

describe('expectedValues', () => {
  it("takes the environment's configuration, and the runtime the provider was given", () => {
    const config = devConfig({ thumbnail: { memoryMB: 1536, triggerSuffixes: ['.jpg', '.JPG'], reservedConcurrency: 5 } });
    const values = expectedValues(config, [{ path: 'p', from: 'nodejs24.x', to: 'nodejs22.x', reason: 'r' }]);
    expect(values).toMatchObject({
      expected_runtime: 'nodejs22.x',
      expected_memory_mb: 1536,
      expected_suffixes: ['.jpg', '.JPG'],
      expected_reserved_concurrency: 5,
      expected_renditions: '[{"name":"thumbnail","width":100,"format":"jpeg","quality":80}]',
    });
    expect(expectedValues(devConfig(), [])).toMatchObject({
      expected_runtime: 'nodejs24.x',
      expected_reserved_concurrency: null,
      expected_adopted_bucket: null,
    });
    expect(expectedValues(devConfig({ originals: { existingBucket: 'team-uploads', prefix: 'in/' } }), [])).toMatchObject({
      expected_adopted_bucket: 'team-uploads',
      expected_adopted_prefix: 'in/',
      expected_kms_key_arn: null,
      expected_region: 'ap-northeast-1',
    });
  });
});
