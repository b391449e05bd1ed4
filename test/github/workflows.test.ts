import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../lib/paths';

const dir = join(ROOT, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();
const source = (file: string) => readFileSync(join(dir, file), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps: Step[];
  permissions?: Record<string, string>;
  environment?: string;
  needs?: string | string[];
}
const workflow = (file: string) =>
  parse(source(file)) as { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps);

describe('GitHub Actions workflows', () => {
  it('are ci, plan and apply', () => {
    expect(files).toEqual(['apply.yml', 'ci.yml', 'plan.yml']);
  });

  it.each(files)('%s passes action-validator (the workflow schema)', (file) => {
    expect(validateWorkflow(source(file)).errors).toEqual([]);
  });

  it('rejects a broken workflow, so the check can fail', () => {
    expect(validateWorkflow('on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps: "not a list"\n').errors.length).toBeGreaterThan(
      0,
    );
  });

  it('ci: installs and runs make test on pushes and pull requests, read-only', () => {
    expect(Object.keys(workflow('ci.yml').on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow('ci.yml').permissions).toEqual({ contents: 'read' });
    expect(steps('ci.yml').some((step) => step.run === 'make test')).toBe(true);
    // make test validates the stacks with terraform (make validate).
    expect(steps('ci.yml').findIndex((step) => step.uses?.startsWith('hashicorp/setup-terraform@'))).toBeLessThan(
      steps('ci.yml').findIndex((step) => step.run === 'make test'),
    );
    expect(steps('ci.yml').findIndex((step) => step.uses?.startsWith('hashicorp/setup-terraform@'))).toBeGreaterThanOrEqual(0);
  });

  it('plan: on pull requests, builds, synthesizes, assumes a role through OIDC, plans, comments once, keeps the plan', () => {
    const plan = workflow('plan.yml');
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(plan.jobs['plan']?.permissions).toMatchObject({ 'id-token': 'write' });
    const runs = steps('plan.yml').map((step) => step.run ?? step.uses ?? '');
    expect(runs).toContain('make layer zip synth');
    expect(runs.some((run) => run.startsWith('hashicorp/setup-terraform@'))).toBe(true);
    expect(steps('plan.yml').find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with).toMatchObject({
      'role-to-assume': expect.any(String),
    });
    expect(runs).toContain('make plan ENV=${{ matrix.env }}');
    expect(runs.some((run) => run.startsWith('actions/upload-artifact@'))).toBe(true);
    const comment = steps('plan.yml').find((step) => step.uses?.startsWith('actions/github-script@'));
    expect(String(comment?.with?.['script'])).toMatch(/updateComment[\s\S]*createComment/);
    expect(plan.jobs['comment']?.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  it('apply: on main, applies the reviewed plan behind the protected production environment', () => {
    const apply = workflow('apply.yml');
    expect(apply.on).toHaveProperty('push');
    expect(apply.jobs['apply']?.environment).toBe('production');
    expect(apply.jobs['apply']?.needs).toBe('plan');
    expect(steps('apply.yml').map((step) => step.run)).toContain('make apply-plan ENV=prod');
  });
});
