import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { describe, expect, it } from 'vitest';
import { InvokerRole } from '../../../infra/constructs/invoker-role';
import { refTo, synthConstruct } from '../../support/construct';

describe('InvokerRole', () => {
  const OPERATOR = 'arn:aws:iam::111122223333:role/operator';
  const scope = synthConstruct((s) => {
    const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
    new InvokerRole(s, 'invoker', { roleName: 'p-invoker', principals: [OPERATOR], function: fn });
  });

  it('may be assumed by the named principals only', () => {
    expect(JSON.parse(scope.only('aws_iam_role').body['assume_role_policy'] as string).Statement).toEqual([
      { Sid: 'NamedOperators', Effect: 'Allow', Principal: { AWS: [OPERATOR] }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('may invoke the function (and its versions), nothing else', () => {
    const arn = refTo(scope.only('aws_lambda_function'), 'arn');
    expect(JSON.parse(scope.only('aws_iam_role_policy').body['policy'] as string).Statement).toEqual([
      { Sid: 'InvokeThumbnailFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [arn, `${arn}:*`] },
    ]);
  });
});
