import { describe, expect, it } from 'vitest';
import { ExecutionRole } from '../../../infra/constructs/execution-role';
import { policy } from '../../../infra/policies';
import { refTo, synthConstruct } from '../../support/construct';

describe('ExecutionRole', () => {
  const document = policy({
    Sid: 'Only',
    Effect: 'Allow',
    Action: 'logs:PutLogEvents',
    Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:x:*',
  });
  const scope = synthConstruct(
    (s) => new ExecutionRole(s, 'role', { roleName: 'p-fn-execution', accountId: '111122223333', policy: document }),
  );

  it('may be assumed by Lambda acting for this account only', () => {
    const role = scope.only('aws_iam_role');
    expect(role.body['name']).toBe('p-fn-execution');
    expect(JSON.parse(role.body['assume_role_policy'] as string).Statement).toEqual([
      {
        Sid: 'LambdaServiceInThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      },
    ]);
  });

  it('has exactly the given inline policy and no managed policy', () => {
    const inline = scope.only('aws_iam_role_policy');
    expect(inline.body['role']).toBe(refTo(scope.only('aws_iam_role'), 'id'));
    expect(JSON.parse(inline.body['policy'] as string)).toEqual(document);
    expect(scope.all('aws_iam_role_policy_attachment')).toEqual([]);
  });
});
