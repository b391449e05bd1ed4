// make plan, validate, deploy and apply-plan with the real terraform binary and AWS provider where the
// machine has them (TF_PLUGIN_DIR or a mirror: offline), in a temporary CDKTF_OUTDIR.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';
import { resourcesOfType, type TerraformJson } from '../../scripts/lib/terraform-json';
import { findProviderSource } from '../../scripts/lib/terraform-providers';
import { type LocalSts, startLocalSts } from '../../scripts/local/sts-server';
import { isolatedMake, withoutCredentials } from '../support/make';
import { tempDir } from '../support/tmp';

const dir = tempDir('terraform');
const terraformRuns = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const source = findProviderSource();
const offline = terraformRuns && source !== undefined && source.versions.length > 0;
if (!offline)
  console.warn(
    `[skip] ${terraformRuns ? 'no AWS provider in TF_PLUGIN_DIR or a mirror' : 'no terraform binary'}: the real-terraform tests of make plan and make validate are skipped`,
  );

/** What a checkout's own stack folder looks like before a test, to prove the test left it alone. */
function snapshot(path: string): string {
  return ['cdk.tf.json', 'tfplan', 'plan.json', 'plan.md']
    .map((file) => join(path, file))
    .map((file) => (existsSync(file) ? `${file}@${statSync(file).mtimeMs}` : `${file}:absent`))
    .join('\n');
}
const checkoutStack = join(ROOT, 'cdktf.out', 'stacks', 'thumbnails-dev');
let before: string;
beforeAll(() => {
  before = snapshot(checkoutStack);
});
afterAll(() => {
  expect(snapshot(checkoutStack)).toBe(before);
});

describe('make plan / deploy / destroy without prerequisites', () => {
  const make = isolatedMake(join(dir, 'prerequisites'));

  it.each(['plan', 'deploy', 'destroy'])('make %s stops with a clear message when terraform is missing', (target) => {
    const result = make.run([target, 'TF=no-such-terraform-binary'], withoutCredentials(dir));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/"no-such-terraform-binary" was not found or does not run/);
    expect(result.stderr).toMatch(/Nothing was changed/);
  });

  it('make deploy stops with a clear message when there are no AWS credentials', () => {
    const fake = join(dir, 'terraform');
    writeFileSync(fake, '#!/bin/sh\necho "Terraform v1.10.5"\n[ "$1" = version ] || { echo "must not run: $*" >&2; exit 99; }\n');
    chmodSync(fake, 0o755);
    // No provider directory: the credentials check is what stops it.
    const result = make.run(['deploy', `TF=${fake}`, 'TF_PLUGIN_DIR='], withoutCredentials(dir));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no AWS credentials found/);
    expect(result.stderr).not.toMatch(/must not run/);
  });
});

describe.skipIf(!offline)('make plan with real terraform, offline: throwaway credentials, STS on loopback', () => {
  const make = isolatedMake(join(dir, 'plan'));
  let sts: LocalSts;
  let result: Awaited<ReturnType<typeof make.runAsync>>;
  let stack: TerraformJson;

  beforeAll(async () => {
    sts = await startLocalSts();
    const env = {
      ...withoutCredentials(dir),
      AWS_ACCESS_KEY_ID: 'AKIDLOCALPLAN',
      AWS_SECRET_ACCESS_KEY: 'throwaway',
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    };
    // Asynchronously: the STS server runs in this process and must keep answering.
    result = await make.runAsync(['plan', 'ENV=dev'], env);
    stack = JSON.parse(readFileSync(join(make.stackDir('dev'), 'cdk.tf.json'), 'utf8')) as TerraformJson;
  }, 300_000);
  afterAll(async () => {
    await sts?.close();
  });

  it('plans the synthesized stack with the real provider, asking STS who it is and nothing else', () => {
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(sts.calls.length).toBeGreaterThan(0);
    expect(new Set(sts.calls)).toEqual(new Set(['GetCallerIdentity']));
  });

  it('summarises the real plan: every resource of the stack, counted, nothing changed or deleted', () => {
    const markdown = readFileSync(join(make.stackDir('dev'), 'plan.md'), 'utf8');
    const addresses = Object.entries(stack.resource).flatMap(([type, resources]) =>
      Object.keys(resources).map((name) => `${type}.${name}`),
    );
    expect(addresses.length).toBeGreaterThan(20);
    for (const address of addresses) expect(markdown).toContain(`\`${address}\``);
    expect(markdown).toContain(`**Plan:** ${addresses.length} to create, 0 to update, 0 to replace, 0 to delete.`);
  });

  it('shows the backfill role and its trust among the IAM policy changes (its rights name ARNs known after apply)', () => {
    const markdown = readFileSync(join(make.stackDir('dev'), 'plan.md'), 'utf8');
    expect(markdown).toContain('batchoperations.s3.amazonaws.com');
    expect(markdown).toMatch(/`aws_iam_role_policy\.backfill_policy_[0-9A-F]+`/);
  });

  it('shows in the real plan that the notification waits for the invoke permission', () => {
    const plan = JSON.parse(readFileSync(join(make.stackDir('dev'), 'plan.json'), 'utf8'));
    const [permission] = resourcesOfType(stack, 'aws_lambda_permission');
    const notification = plan.configuration.root_module.resources.find(
      (resource: { type: string }) => resource.type === 'aws_s3_bucket_notification',
    );
    expect(notification.depends_on).toEqual([permission?.address]);
  });

  it('says, in the output and the summary, what it substituted for an older provider, and keeps no tfplan to apply', () => {
    const required = (stack.terraform['required_providers'] as Record<string, { version: string }>)['aws']?.version ?? '';
    const older = source?.versions[0] !== required;
    const markdown = readFileSync(join(make.stackDir('dev'), 'plan.md'), 'utf8');
    if (older) {
      expect(result.stdout).toMatch(/offline plan: .* has AWS provider \d+\.\d+\.\d+, older than the stack's/);
      expect(result.stdout).toMatch(/substituted resource\.aws_lambda_function\.\S+\.runtime: nodejs24\.x -> nodejs22\.x/);
      expect(markdown).toMatch(/\*\*Offline plan, for reading only:\*\*/);
      expect(existsSync(join(make.stackDir('dev'), 'tfplan'))).toBe(false);
    } else {
      expect(markdown).not.toMatch(/Offline plan/);
      expect(existsSync(join(make.stackDir('dev'), 'tfplan'))).toBe(true);
    }
    // The synthesized JSON make deploy applies keeps what the stack requires.
    expect(JSON.stringify(stack)).toContain('"runtime":"nodejs24.x"');
  });

  it('refuses make apply-plan and make deploy with a provider older than the stack requires, changing nothing', () => {
    const required = (stack.terraform['required_providers'] as Record<string, { version: string }>)['aws']?.version;
    if (source?.versions[0] === required) return;
    for (const target of ['apply-plan', 'deploy']) {
      const refused = make.run([target, 'ENV=dev'], { ...withoutCredentials(dir), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/needs the required provider .* Nothing was changed/);
    }
  });
});

describe.skipIf(!offline)('make validate with real terraform, offline', () => {
  it('fails, naming the broken promise, when a stack breaks what infra/tests assert', () => {
    const make = isolatedMake(join(dir, 'validate'));
    // Synthesize, then break one promise in the copy this test owns: a public-access block turned off.
    expect(make.run(['synth']).status).toBe(0);
    const file = join(make.stackDir('dev'), 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as TerraformJson;
    const block = resourcesOfType(json, 'aws_s3_bucket_public_access_block').find((entry) => entry.address.includes('originals'));
    if (!block) throw new Error('no public access block in the stack');
    block.body['block_public_acls'] = false;
    writeFileSync(file, JSON.stringify(json));
    // make validate would synthesize again over the change: run its script directly.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', '--env', 'dev'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDKTF_OUTDIR: make.cdktfOut },
      timeout: 300_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/test: FAILED/);
    expect(result.stdout).toMatch(/Both buckets must block every kind of public access/);
    expect(result.stdout).toMatch(/FAILED thumbnails-dev/);
  });
});

describe('make plan and make apply-plan with a stand-in terraform (applying needs a real AWS account)', () => {
  const make = isolatedMake(join(dir, 'stand-in'));
  // A stand-in terraform that records its arguments and answers `show -json` with a plan.
  function fakeTerraform() {
    const log = join(dir, 'terraform-calls.log');
    const fake = join(dir, 'fake-terraform');
    const planJson = JSON.stringify({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_s3_bucket.originals',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'originals',
          change: { actions: ['create'], before: null, after: {} },
        },
      ],
    });
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        `echo "$*" >> '${log}'`,
        'case "$1" in',
        '  version) echo "Terraform v1.10.5" ;;',
        '  plan) for a in "$@"; do case "$a" in -out=*) echo binary > "${a#-out=}" ;; esac; done ;;',
        `  show) echo '${planJson}' ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    return { fake, log };
  }
  const withCredentials = () => ({ ...withoutCredentials(dir), AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' });

  it('applies exactly the plan make plan saved, in the stack folder', () => {
    const { fake, log } = fakeTerraform();
    // The stand-in has no provider to compare: plan as with the registry.
    const planned = make.run(['plan', `TF=${fake}`, 'TF_PLUGIN_DIR='], withCredentials());
    expect(planned.status).toBe(0);
    expect(readFileSync(join(make.stackDir('dev'), 'plan.md'), 'utf8')).toMatch(/### Plan for thumbnails-dev\n\n\*\*Plan:\*\* 1 to create/);
    const applied = make.run(['apply-plan', `TF=${fake}`, 'TF_PLUGIN_DIR='], withCredentials());
    expect(applied.status).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'version',
      'init -input=false',
      'plan -input=false -out=tfplan',
      'show -json tfplan',
      'version',
      'init -input=false',
      'apply -input=false tfplan',
      'output',
    ]);
  });
});
