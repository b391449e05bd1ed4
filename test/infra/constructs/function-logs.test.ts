import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { FunctionLogs } from '../../../infra/constructs/function-logs';
import { synthConstruct } from '../../support/construct';

describe('FunctionLogs', () => {
  it("makes the function's log group under Lambda's name for it, with a retention period", () => {
    const scope = synthConstruct((s) => new FunctionLogs(s, 'logs', { functionName: 'p-thumbnail', retentionDays: 14 }));
    expect(
      Testing.toHaveResourceWithProperties(scope.text, 'aws_cloudwatch_log_group', {
        name: '/aws/lambda/p-thumbnail',
        retention_in_days: 14,
      }),
    ).toBe(true);
  });
});
