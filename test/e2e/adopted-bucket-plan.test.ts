/**
 * `make plan` of a stack adopting an existing bucket, with the real terraform binary and AWS
 * provider where the machine has them (offline: TF_PLUGIN_DIR or a mirror), against STS and S3 on
 * loopback: the bucket read before terraform runs (EventBridge off stops it, saying how to turn
 * it on; overlapping notifications and another region stop it too), then a real plan whose JSON
 * provably touches the bucket only as the configuration asks. Stack folders in a temporary CDKTF_OUTDIR.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';
import { findProviderSource } from '../../scripts/lib/terraform-providers';
import { LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '../../scripts/local/s3-server';
import { type LocalSts, startLocalSts } from '../../scripts/local/sts-server';
import { changesTouchingBucket } from '../../scripts/plan-summary/adopted-bucket-check';
import type { RawPlan } from '../../scripts/plan-summary/plan';
import { isolatedMake, withoutCredentials } from '../support/make';
import { tempDir } from '../support/tmp';

const dir = tempDir('adopted-plan');
const terraformRuns = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const source = findProviderSource();
const offline = terraformRuns && source !== undefined && source.versions.length > 0;
if (!offline) console.warn('[skip] no terraform binary or no AWS provider offline: the real plans of an adopted bucket are skipped');

const ENVIRONMENTS = join(dir, 'environments.json');
writeFileSync(
  ENVIRONMENTS,
  JSON.stringify({
    shared: { region: 'ap-northeast-1', originals: { existingBucket: 'team-uploads', delivery: 'notification', prefix: 'photos/' } },
  }),
);
const AUDIT = {
  Id: 'audit',
  QueueArn: 'arn:aws:sqs:ap-northeast-1:111122223333:audit',
  Events: ['s3:ObjectRemoved:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'suffix' as const, Value: '.pdf' }] } },
};

describe.skipIf(!offline)("make plan of an adopted bucket's stack, real terraform, offline", () => {
  const make = isolatedMake(join(dir, 'make'));
  let sts: LocalSts;
  let s3: LocalS3;
  let client: S3Client;
  const env = () => ({
    ...withoutCredentials(dir),
    // The local S3 checks signatures with its own credentials; the local STS answers anyone.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    ENVIRONMENTS_FILE: ENVIRONMENTS,
  });
  const configure = (bucket: string, configuration: object) =>
    client.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: configuration }));
  const plan = (environment: string) => make.runAsync(['plan', `ENV=${environment}`], env());
  const planJson = (environment: string) => JSON.parse(readFileSync(join(make.stackDir(environment), 'plan.json'), 'utf8')) as RawPlan;

  beforeAll(async () => {
    sts = await startLocalSts();
    s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: ['acme-photo-uploads', 'team-uploads'], region: 'ap-northeast-1' });
    client = s3.client('ap-northeast-1');
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await sts?.close();
  });

  it("stops before terraform while EventBridge is off, printing the owner's safe way to turn it on", async () => {
    await configure('acme-photo-uploads', { QueueConfigurations: [AUDIT] });
    const result = await plan('adopted');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/EventBridge is off for bucket acme-photo-uploads/);
    expect(result.stderr).toMatch(/jq -s '\(\.\[0\] \/\/ \{\}\) \+ \{"EventBridgeConfiguration": \{\}\}' notification\.json/);
    expect(result.stderr).toMatch(/Nothing was changed/);
    expect(result.stdout).not.toMatch(/\$ terraform plan/);
    expect(sts.calls).toEqual([]);
  }, 300_000);

  it('plans once it is on: the plan JSON touches the bucket in no way, and the summary says so', async () => {
    await configure('acme-photo-uploads', { QueueConfigurations: [AUDIT], EventBridgeConfiguration: {} });
    const result = await plan('adopted');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const planned = planJson('adopted');
    expect(planned.resource_changes?.length).toBeGreaterThan(30);
    expect(changesTouchingBucket(planned, 'acme-photo-uploads')).toEqual([]);
    expect(planned.resource_changes?.some((change) => change.type === 'aws_cloudwatch_event_rule')).toBe(true);
    const markdown = readFileSync(join(make.stackDir('adopted'), 'plan.md'), 'utf8');
    expect(markdown).toContain('**Adopted bucket `acme-photo-uploads`:** no planned change touches it.');
    expect(JSON.parse(readFileSync(join(make.stackDir('adopted'), 'adopted-bucket.auto.tfvars.json'), 'utf8'))).toEqual({
      adopted_bucket_eventbridge: true,
    });
  }, 300_000);

  it("plans the opt-in notification delivery with the bucket's own notification carried over, and nothing else on it", async () => {
    await configure('team-uploads', { QueueConfigurations: [AUDIT] });
    const result = await plan('shared');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const planned = planJson('shared');
    expect(changesTouchingBucket(planned, 'team-uploads').map((touch) => touch.type)).toEqual(['aws_s3_bucket_notification']);
    const notification = planned.resource_changes?.find((change) => change.type === 'aws_s3_bucket_notification');
    const after = notification?.change.after as { queue: { id: string }[]; lambda_function: { id: string; filter_prefix: string }[] };
    expect(after.queue.map((queue) => queue.id)).toEqual(['audit']);
    expect(after.lambda_function.map((rule) => [rule.id, rule.filter_prefix])).toEqual([
      ['thumbnails-shared-thumbnail-objectcreated-1', 'photos/'],
      ['thumbnails-shared-thumbnail-objectremoved-1', 'photos/'],
    ]);
    expect(readFileSync(join(make.stackDir('shared'), 'plan.md'), 'utf8')).toContain(
      'no planned change touches it beyond aws_s3_bucket_notification, which its configuration asks for',
    );
  }, 300_000);

  it("refuses an existing notification that would overlap the stack's own, naming it, before terraform", async () => {
    await configure('team-uploads', {
      LambdaFunctionConfigurations: [
        { Id: 'resizer-v1', LambdaFunctionArn: 'arn:aws:lambda:ap-northeast-1:111122223333:function:old', Events: ['s3:ObjectCreated:*'] },
      ],
    });
    const result = await plan('shared');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/would overlap the stack's[\s\S]*"resizer-v1" lambda function/);
  }, 300_000);

  it('validates and mock-applies the notification delivery with real terraform: existing notifications carried over (infra/tests)', () => {
    // make validate would synthesize again: the stack folder the plans above synthesized is used as it is.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', '--env', 'shared'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDKTF_OUTDIR: make.cdktfOut, ENVIRONMENTS_FILE: ENVIRONMENTS },
      timeout: 300_000,
    });
    expect(result.stdout).toMatch(/run "the_bucket_s_notifications_are_carried_over_beside_the_stack_s_own"\.\.\. pass|test: ok/);
    expect(result.stdout).toMatch(/ok {5}thumbnails-shared: \d+ passed, 0 failed/);
    expect(result.stdout).toMatch(/lifecycle\.prevent_destroy: true -> false \(terraform test destroys what it applies\)/);
    expect(result.status).toBe(0);
  }, 300_000);

  it('refuses a bucket that does not exist', async () => {
    writeFileSync(ENVIRONMENTS, JSON.stringify({ gone: { originals: { existingBucket: 'no-such-bucket' } } }));
    const result = await plan('gone');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/bucket no-such-bucket does not exist/);
    expect(existsSync(join(make.stackDir('gone'), 'plan.json'))).toBe(false);
  }, 300_000);
});
