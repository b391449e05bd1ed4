import { describe, expect, it } from 'vitest';
import type { TerraformJson } from '../../scripts/lib/terraform-json';
import { expectedValues, referencedAddresses, testFilesFor } from '../../scripts/validate';
import { devConfig } from '../support/stack';

describe('referencedAddresses', () => {
  it('names the resources an HCL test refers to, ignoring comments', () => {
    const hcl = '# aws_s3_bucket.commented_out\nassert { condition = aws_s3_bucket.a_1-B.arn == aws_sqs_queue.q.arn }\n';
    expect(referencedAddresses(hcl)).toEqual(['aws_s3_bucket.a_1-B', 'aws_sqs_queue.q']);
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
    expect(expectedValues(devConfig(), [])).toMatchObject({ expected_runtime: 'nodejs24.x', expected_reserved_concurrency: null });
  });
});
