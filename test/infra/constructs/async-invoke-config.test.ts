import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { AsyncInvokeConfig } from '../../../infra/constructs/async-invoke-config';
import { synthConstruct } from '../../support/construct';

describe('AsyncInvokeConfig', () => {
  it("sets Lambda's retries and event age for asynchronous invocations, and where an event goes when they run out", () => {
    const scope = synthConstruct((s) => {
      const fn = new LambdaFunction(s, 'fn', { functionName: 'f', role: 'r' });
      new AsyncInvokeConfig(s, 'async', {
        function: fn,
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 3600,
        onFailureArn: 'arn:aws:sqs:eu-west-1:111122223333:q',
      });
    });
    expect(
      Testing.toHaveResourceWithProperties(scope.text, 'aws_lambda_function_event_invoke_config', {
        maximum_retry_attempts: 2,
        maximum_event_age_in_seconds: 3600,
        destination_config: { on_failure: { destination: 'arn:aws:sqs:eu-west-1:111122223333:q' } },
      }),
    ).toBe(true);
  });
});
