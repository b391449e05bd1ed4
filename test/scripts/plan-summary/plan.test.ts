import { describe, expect, it } from 'vitest';
import { classify, countChanges, NotAPlanError, readPlan } from '../../../scripts/plan-summary/plan';
import { plan, resourceChange } from '../../support/plans';

describe('classify', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
    [['forget'], 'forget'],
    [[], 'no-op'],
  ])('%j -> %s', (actions, expected) => {
    expect(classify(actions)).toBe(expected);
  });
});

describe('readPlan', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a state file', { version: 4, resources: [] }],
    ['a plan with a broken change', { format_version: '1.2', resource_changes: [{ address: 'a' }] }],
  ])('refuses %s', (_, json) => {
    expect(() => readPlan(json)).toThrow(NotAPlanError);
  });

  it('counts managed resources by action, ignoring data sources', () => {
    const parsed = readPlan(
      plan([
        resourceChange({ address: 'aws_s3_bucket.a', type: 'aws_s3_bucket', actions: ['create'] }),
        resourceChange({ address: 'aws_s3_bucket.b', type: 'aws_s3_bucket', actions: ['delete', 'create'] }),
        resourceChange({ address: 'aws_iam_role.r', type: 'aws_iam_role', actions: ['update'] }),
        { ...resourceChange({ address: 'data.aws_caller_identity.c', type: 'aws_caller_identity', actions: ['read'] }), mode: 'data' },
      ]),
    );
    expect(countChanges(parsed)).toEqual({ create: 1, update: 1, replace: 1, delete: 0 });
  });
});
