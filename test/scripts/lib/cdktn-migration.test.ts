import { describe, expect, it } from 'vitest';
import { compareStacks, jsonDifferences, rewriteImports, withProviderPinOf } from '../../../scripts/lib/cdktn-migration';
import type { TerraformJson } from '../../../scripts/lib/terraform-json';

const stack = (overrides: { version?: string; source?: string; pin?: string; bucket?: string }) =>
  ({
    '//': { metadata: { version: overrides.version ?? '0.21.0', stackName: 'thumbnails-dev' } },
    terraform: { required_providers: { aws: { source: overrides.source ?? 'aws', version: overrides.pin ?? '6.25.0' } } },
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: { aws_s3_bucket: { originals: { bucket: overrides.bucket ?? 'a' } } },
  }) as unknown as TerraformJson;

describe('rewriteImports', () => {
  it('points imports of cdktf and @cdktf/provider-aws (and their subpaths) at CDK Terrain, and nothing else', () => {
    const source = [
      "import { App, TerraformStack } from 'cdktf';",
      'import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";',
      "const cdktf = await import('cdktf');",
      "import { z } from 'zod'; // cdktf is archived",
      "const name = 'cdktf.out';",
    ].join('\n');
    expect(rewriteImports(source).split('\n')).toEqual([
      "import { App, TerraformStack } from 'cdktn';",
      'import { S3Bucket } from "@cdktn/provider-aws/lib/s3-bucket";',
      "const cdktf = await import('cdktn');",
      "import { z } from 'zod'; // cdktf is archived",
      "const name = 'cdktf.out';",
    ]);
  });
});

describe('compareStacks', () => {
  it('sets apart the three expected differences from everything else, which it names by path', () => {
    const today = stack({});
    expect(compareStacks(today, stack({ version: '0.24.0', source: 'hashicorp/aws', pin: '6.66.0' }))).toEqual({
      expected: [
        '$.//.metadata.version: "0.21.0" -> "0.24.0"',
        '$.terraform.required_providers.aws.source: "aws" -> "hashicorp/aws"',
        '$.terraform.required_providers.aws.version: "6.25.0" -> "6.66.0"',
      ],
      unexpected: [],
    });
    expect(compareStacks(today, stack({ version: '0.24.0', bucket: 'b' })).unexpected).toEqual([
      '$.resource.aws_s3_bucket.originals.bucket: "a" -> "b"',
    ]);
  });

  it('names what one side has and the other lacks', () => {
    expect(jsonDifferences({ a: [1, 2] }, { a: [1], b: true })).toEqual(['$.a[1]: 2 -> (absent)', '$.b: (absent) -> true']);
  });
});

describe('withProviderPinOf', () => {
  it("holds the migrated stack's provider at today's pin, leaving today's JSON alone", () => {
    const migrated = stack({ source: 'hashicorp/aws', pin: '6.66.0' });
    const held = withProviderPinOf(migrated, stack({}));
    expect((held.terraform as { required_providers: { aws: { version: string; source: string } } }).required_providers.aws).toEqual({
      source: 'hashicorp/aws',
      version: '6.25.0',
    });
    expect((migrated.terraform as { required_providers: { aws: { version: string } } }).required_providers.aws.version).toBe('6.66.0');
  });
});
