import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlanSummary } from '../../../scripts/plan-summary/render';
import { plan, policyJson, resourceChange } from '../../support/plans';
import { sharedFixtures } from '../../support/shared-fixtures';

const fixtures = sharedFixtures('plans');

/** What each of Terraform's own plan fixtures must say. */
const EXPECTED: Record<string, RegExp[]> = {
  'basic-create.json': [
    /3 to create, 0 to update, 0 to replace, 0 to delete/,
    /`test_instance\.test\[2\]`/,
    /\| `test` \| create \| bar \|/,
  ],
  'basic-delete.json': [
    /0 to create, 1 to update, 0 to replace, 1 to delete/,
    /\*\*delete\*\* \| `test_instance\.test-delete` \| delete because no resource config/,
    /`ami`: foo → bar/,
  ],
  'basic-update.json': [/\*\*No changes\.\*\*/],
  'equivalence-local_provider_update.json': [/1 to replace/, /forced by `content`/],
  'modules.json': [/4 to create/, /`module\.module_test_foo\.test_instance\.test\[0\]`/],
  'multi-resource-update.json': [/1 to create, 0 to update, 0 to replace, 0 to delete \(1 unchanged\)/, /Terraform 0\.13\.0/],
  'plan-error.json': [/The plan failed/],
  'requires-replace.json': [/1 to replace/, /forced by `ami`/],
  'terraform-json-nested_config_keys.json': [/1 to create/, /`aws_instance\.foo`/, /format 0\.1, Terraform 0\.12\.11/],
  'unknown-output.json': [
    /no resource changes; 3 outputs change/,
    /"time":"\(known after apply\)"/,
    /\["hello","\(known after apply\)","world"\]/,
  ],
};

describe.skipIf(!fixtures.present)(`Terraform's own plan fixtures (${fixtures.label})`, () => {
  const files = fixtures.present
    ? readdirSync(fixtures.dir)
        .filter((file) => file.endsWith('.json'))
        .sort()
    : [];

  it('knows every fixture', () => {
    expect(files.filter((file) => !(file in EXPECTED))).toEqual([]);
  });

  it.each(files)('summarizes %s', (file) => {
    const markdown = renderPlanSummary(JSON.parse(readFileSync(join(fixtures.dir, file), 'utf8')));
    for (const pattern of EXPECTED[file] ?? []) expect(markdown).toMatch(pattern);
  });
});

describe('renderPlanSummary', () => {
  const bucketReplace = resourceChange({
    address: 'module.images.aws_s3_bucket.originals',
    type: 'aws_s3_bucket',
    actions: ['delete', 'create'],
    reason: 'replace_because_cannot_update',
    replacePaths: [['bucket_prefix']],
    before: { bucket_prefix: 'old-' },
    after: { bucket_prefix: 'new-' },
  });
  const roleCreate = resourceChange({ address: 'aws_iam_role.r', type: 'aws_iam_role', actions: ['create'] });

  it('puts a loud warning first when a bucket is deleted or replaced, and lists destruction before creation', () => {
    const markdown = renderPlanSummary(plan([roleCreate, bucketReplace]), { title: 'Plan for thumbnails-prod' });
    expect(markdown.startsWith('### Plan for thumbnails-prod\n\n> [!WARNING]')).toBe(true);
    expect(markdown).toMatch(/will be DELETED or REPLACED: everything in it is lost/);
    expect(markdown).toMatch(
      /`module\.images\.aws_s3_bucket\.originals`: \*\*replace\*\* \(replace because cannot update; forced by `bucket_prefix`\)/,
    );
    expect(markdown.indexOf('| **replace** |')).toBeLessThan(markdown.indexOf('| create |'));
  });

  it('does not warn when a bucket is only created or updated', () => {
    const markdown = renderPlanSummary(plan([resourceChange({ address: 'aws_s3_bucket.b', type: 'aws_s3_bucket', actions: ['create'] })]));
    expect(markdown).not.toMatch(/WARNING/);
  });

  it('shows an IAM policy change as a readable diff', () => {
    const change = resourceChange({
      address: 'aws_iam_role_policy.execution',
      type: 'aws_iam_role_policy',
      actions: ['update'],
      before: { name: 'execution', policy: policyJson(['s3:GetObject'], 'arn:aws:s3:::originals/*') },
      after: { name: 'execution', policy: policyJson(['s3:GetObject', 's3:DeleteObject'], 'arn:aws:s3:::originals/*') },
    });
    const markdown = renderPlanSummary(plan([change]));
    expect(markdown).toMatch(/IAM policy changes \(1\)/);
    expect(markdown).toMatch(/```diff\n@@ [^\n]+ @@\n/);
    expect(markdown).toMatch(/\n\+ +"s3:DeleteObject"\n/);
    expect(markdown).toMatch(/\n- +"s3:GetObject"\n/);
    // Unchanged parts of the document are context, not changes.
    expect(markdown).toMatch(/\n +"Effect": "Allow",\n/);
  });

  it('shows a new policy whole, and one known only after apply as such', () => {
    const created = resourceChange({
      address: 'aws_s3_bucket_policy.p',
      type: 'aws_s3_bucket_policy',
      actions: ['create'],
      after: { policy: policyJson(['s3:*'], '*') },
    });
    const unknown = resourceChange({
      address: 'aws_iam_role.r',
      type: 'aws_iam_role',
      actions: ['update'],
      before: { assume_role_policy: policyJson(['sts:AssumeRole'], '*') },
      after: {},
      afterUnknown: { assume_role_policy: true },
    });
    const markdown = renderPlanSummary(plan([created, unknown]));
    expect(markdown).toMatch(/\n\+ +"s3:\*"\n/);
    expect(markdown).toMatch(/\+\(known after apply\)/);
  });

  it('masks sensitive attributes and outputs', () => {
    const change = resourceChange({
      address: 'aws_lambda_function.f',
      type: 'aws_lambda_function',
      actions: ['update'],
      before: { memory_size: 512, environment: [{ variables: { TOKEN: 'old-secret' } }] },
      after: { memory_size: 1024, environment: [{ variables: { TOKEN: 'new-secret' } }] },
      beforeSensitive: { environment: [{ variables: { TOKEN: true } }] },
      afterSensitive: { environment: [{ variables: { TOKEN: true } }] },
    });
    const markdown = renderPlanSummary(
      plan([change], { api_key: { actions: ['create'], before: null, after: 'hunter2', after_unknown: false, after_sensitive: true } }),
    );
    expect(markdown).toMatch(/`memory_size`: 512 → 1024/);
    expect(markdown).not.toMatch(/secret|hunter2/);
    expect(markdown).toMatch(/\| `api_key` \| create \| \(sensitive value\) \|/);
  });

  it('says plainly when nothing changes, and when the plan errored', () => {
    expect(renderPlanSummary(plan([resourceChange({ address: 'a.b', type: 'a', actions: ['no-op'] })]))).toMatch(/^\*\*No changes\.\*\*/);
    expect(renderPlanSummary(plan([], {}, { errored: true, applyable: false, complete: false }))).toMatch(/The plan failed/);
  });

  it('escapes table cells', () => {
    const markdown = renderPlanSummary(plan([resourceChange({ address: 'a.b["x|y"]', type: 'a', actions: ['create'] })]));
    expect(markdown).toMatch(/`a\.b\["x\\\|y"\]`/);
  });
});
