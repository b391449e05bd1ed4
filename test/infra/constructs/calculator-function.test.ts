import { describe, expect, it } from 'vitest';
import { CalculatorFunction } from '../../../infra/constructs/calculator-function';
import { refTo, stubZip, synthConstruct } from '../../support/construct';

const ZIP = stubZip();

const props = {
  functionName: 'p-calculator',
  accountId: '111122223333',
  zip: ZIP,
  architecture: 'x86_64' as const,
  memoryMB: 128,
  timeoutSeconds: 3,
  logRetentionDays: 7,
  logLevel: 'INFO',
};

describe('CalculatorFunction', () => {
  const scope = synthConstruct((s) => new CalculatorFunction(s, 'calculator', props));

  it('deploys the calculator with its own log group, no layer and no trigger', () => {
    expect(scope.only('aws_cloudwatch_log_group').body).toMatchObject({ name: '/aws/lambda/p-calculator', retention_in_days: 7 });
    expect(scope.only('aws_lambda_function').body).toMatchObject({
      function_name: 'p-calculator',
      memory_size: 128,
      timeout: 3,
      environment: { variables: { POWERTOOLS_SERVICE_NAME: 'calculator' } },
    });
    expect(scope.only('aws_lambda_function').body['layers']).toBeUndefined();
    expect(scope.all('aws_lambda_permission')).toEqual([]);
  });

  it('lets its role write its own logs and nothing else', () => {
    expect(JSON.parse(scope.only('aws_iam_role_policy').body['policy'] as string).Statement).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${refTo(scope.only('aws_cloudwatch_log_group'), 'arn')}:*`,
      },
    ]);
  });

  it('can say which older addresses its resources had, so Terraform moves them instead of replacing them', () => {
    const moved = synthConstruct((s) =>
      new CalculatorFunction(s, 'calculator', props).movedFrom({
        logGroup: 'aws_cloudwatch_log_group.old_logs',
        role: 'aws_iam_role.old_role',
        rolePolicy: 'aws_iam_role_policy.old_policy',
        function: 'aws_lambda_function.old_fn',
        recursion: 'aws_lambda_function_recursion_config.old_recursion',
      }),
    );
    const blocks = (moved.json as unknown as { moved: { from: string; to: string }[] }).moved;
    expect(blocks.map((block) => block.from)).toEqual([
      'aws_cloudwatch_log_group.old_logs',
      'aws_iam_role.old_role',
      'aws_iam_role_policy.old_policy',
      'aws_lambda_function.old_fn',
      'aws_lambda_function_recursion_config.old_recursion',
    ]);
    expect(blocks.find((block) => block.from === 'aws_lambda_function.old_fn')?.to).toBe(moved.only('aws_lambda_function').address);
  });
});
