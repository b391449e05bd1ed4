// The plan half of `make cdktn-check` with real terraform and a mock provider, on two tiny stacks:
// it must say "No changes" for a migration that changes nothing terraform sees, and catch one that does.

import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { planAgainstToday } from '../../scripts/cdktn-check';
import type { TerraformJson } from '../../scripts/lib/terraform-json';
import { findProviderSource } from '../../scripts/lib/terraform-providers';
import { devConfig } from '../support/stack';
import { test } from '../support/tmp';

const terraformRuns = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const source = findProviderSource();
const offline = terraformRuns && source !== undefined && source.versions.length > 0;
if (!offline)
  console.warn('[skip] no terraform binary or no AWS provider in TF_PLUGIN_DIR or a mirror: the cdktn-check plan test is skipped');

const stack = (sourceAddress: string, versioning: 'Enabled' | 'Suspended') =>
  ({
    terraform: { required_providers: { aws: { source: sourceAddress, version: source?.versions[0] ?? '5.100.0' } } },
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_s3_bucket: { originals: { bucket: 'cdktn-check-originals' } },
      aws_s3_bucket_versioning: {
        originals: { bucket: '${aws_s3_bucket.originals.id}', versioning_configuration: { status: versioning } },
      },
    },
  }) as unknown as TerraformJson;

describe.skipIf(!offline)('planAgainstToday', () => {
  test('says "No changes" when only the provider source address moved from "aws" to "hashicorp/aws", and names a real change', async ({
    tmp,
  }) => {
    const assets = join(tmp, 'assets');
    mkdirSync(assets);
    const today = stack('aws', 'Enabled');
    const same = planAgainstToday(join(tmp, 'same'), today, stack('hashicorp/aws', 'Enabled'), devConfig(), assets, 'terraform', source);
    expect(same).toEqual({ empty: true, detail: 'No changes' });
    const changed = planAgainstToday(
      join(tmp, 'changed'),
      today,
      stack('hashicorp/aws', 'Suspended'),
      devConfig(),
      assets,
      'terraform',
      source,
    );
    expect(changed.empty).toBe(false);
    expect(changed.detail).toMatch(
      /aws_s3_bucket_versioning\.originals will be updated in-place[\s\S]*Plan: 0 to add, 1 to change, 0 to destroy/,
    );
  }, 120_000);
});
