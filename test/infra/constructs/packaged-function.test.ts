import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { describe, expect, it } from 'vitest';
import { PackagedFunction, type PackagedFunctionProps } from '../../../infra/constructs/packaged-function';
import { refTo, stubZip, synthConstruct } from '../../support/construct';

const ZIP = stubZip();

function synth(overrides: Partial<PackagedFunctionProps> = {}) {
  return synthConstruct((scope) => {
    const role = new IamRole(scope, 'role', { assumeRolePolicy: '{}' });
    const logGroup = new CloudwatchLogGroup(scope, 'logs', { name: '/aws/lambda/p-fn' });
    new PackagedFunction(scope, 'fn', {
      functionName: 'p-fn',
      description: 'd',
      zip: ZIP,
      handler: 'index.handler',
      architecture: 'x86_64',
      memoryMB: 1024,
      timeoutSeconds: 30,
      environment: { A: '1' },
      layers: ['arn:layer'],
      role,
      logGroup,
      logLevel: 'INFO',
      ...overrides,
    });
  });
}

describe('PackagedFunction', () => {
  it('deploys the zip on the Lambda runtime, with its settings, JSON logs to its own log group, created after that group', () => {
    const scope = synth();
    const fn = scope.only('aws_lambda_function');
    const logGroup = scope.only('aws_cloudwatch_log_group');
    expect(fn.body).toMatchObject({
      function_name: 'p-fn',
      runtime: 'nodejs24.x',
      architectures: ['x86_64'],
      handler: 'index.handler',
      source_code_hash: ZIP.sha256Base64,
      memory_size: 1024,
      timeout: 30,
      layers: ['arn:layer'],
      role: refTo(scope.only('aws_iam_role'), 'arn'),
      environment: { variables: { A: '1' } },
      logging_config: { log_format: 'JSON', log_group: refTo(logGroup, 'name'), application_log_level: 'INFO', system_log_level: 'INFO' },
      depends_on: [logGroup.address],
    });
  });

  it('stops the function if S3 or SQS would invoke it in a loop', () => {
    expect(synth().only('aws_lambda_function_recursion_config').body['recursive_loop']).toBe('Terminate');
  });

  it('leaves out an empty environment and unset reserved concurrency', () => {
    const body = synth({ environment: {} }).only('aws_lambda_function').body;
    expect(body['environment']).toBeUndefined();
    expect(body['reserved_concurrent_executions']).toBeUndefined();
  });
});
