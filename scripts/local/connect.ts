/**
 * A local stack to drive with the AWS SDK, as the tools drive AWS: the one `make local --serve`
 * is running (its instance file names its S3, SQS and Lambda endpoints), or one of our own, started
 * for the command and closed after it. Either way the caller gets S3, SQS and Lambda clients and
 * the stack's local names; `make invoke`, `make redrive LOCAL=1` and `make backfill LOCAL=1` use it.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readEnvironment } from '../../infra/environments-file';
import { stackName } from '../../infra/names';
import { PATHS } from '../../lib/paths';
import type { TerraformJson } from '../lib/terraform-json';
import { resolveReferences } from '../lib/terraform-refs';
import { type RunningInstance, runningInstance } from './instance-lock';
import { LOCAL_ACCOUNT_ID, LocalPipeline } from './pipeline';
import { LOCAL_CREDENTIALS } from './s3-server';
import { bucketRoles, type FunctionModel, localResolver, queueUrl, readStackModel, type StackModel } from './stack-model';

export interface LocalConnection {
  /** The running instance used, or undefined when this command started its own stack. */
  readonly attached: RunningInstance | undefined;
  readonly model: StackModel;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  /** The bucket uploads go to. */
  readonly originals: string;
  functionModel(source: string): FunctionModel;
  /** A function's environment variable with its references resolved to local names. */
  functionVariable(source: string, name: string): string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

function clients(region: string, endpoints: { s3: string; sqs: string; lambda: string }) {
  const credentials = LOCAL_CREDENTIALS;
  return {
    s3: new S3Client({ endpoint: endpoints.s3, region, forcePathStyle: true, credentials }),
    sqs: new SQSClient({ endpoint: endpoints.sqs, region, credentials }),
    // Every invocation waits for its function: no SDK retry may invoke it twice.
    lambda: new LambdaClient({ endpoint: endpoints.lambda, region, credentials, maxAttempts: 1 }),
  };
}

function connection(
  model: StackModel,
  attached: RunningInstance | undefined,
  endpoints: { s3: string; sqs: string; lambda: string },
  close: () => Promise<void>,
): LocalConnection {
  const made = clients(model.region, endpoints);
  const resolver = localResolver(model, { accountId: LOCAL_ACCOUNT_ID, sqsEndpoint: endpoints.sqs });
  const functionModel = (source: string) => {
    const fn = model.functions.find((candidate) => candidate.source === source || candidate.functionName === source);
    if (!fn) throw new Error(`no function "${source}" in the stack; there are: ${model.functions.map((f) => f.source).join(', ')}`);
    return fn;
  };
  const originals = bucketRoles(model).triggering[0];
  if (!originals) throw new Error('the stack has no bucket with a notification rule');
  return {
    attached,
    model,
    ...made,
    originals,
    functionModel,
    functionVariable(source, name) {
      const value = functionModel(source).environment[name];
      if (value === undefined) throw new Error(`function ${source} has no environment variable ${name}`);
      return resolveReferences(value, resolver);
    },
    queueUrl: (name) => queueUrl({ accountId: LOCAL_ACCOUNT_ID, sqsEndpoint: endpoints.sqs }, name),
    async close() {
      made.s3.destroy();
      made.sqs.destroy();
      made.lambda.destroy();
      await close();
    },
  };
}

export interface ConnectOptions {
  /** What the command is, for the instance file of a stack it starts. */
  readonly command: string;
  /** Execution environments per function, when starting one. */
  readonly concurrency?: number;
}

/** Use the local stack running on make local's data, or start one for this command. */
export async function connectLocalStack(environment: string, options: ConnectOptions): Promise<LocalConnection> {
  // An unknown environment is said as such, before any file is looked for.
  readEnvironment(environment);
  const stack = stackName(environment);
  const running = runningInstance(PATHS.local);
  if (running?.lambdaEndpoint && running.s3Endpoint && running.sqsEndpoint) {
    if (running.stack && running.stack !== stack)
      throw new Error(
        `make local is running ${running.stack} (pid ${running.pid}), not ${stack}: use ENV=${running.stack.replace(/^thumbnails-/, '')}, or stop it first`,
      );
    const json = JSON.parse(readFileSync(join(PATHS.cdktfOut, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    return connection(
      readStackModel(json),
      running,
      { s3: running.s3Endpoint, sqs: running.sqsEndpoint, lambda: running.lambdaEndpoint },
      async () => undefined,
    );
  }
  // Not running (or running without the Lambda API): start our own, which takes the data folder or says who has it.
  const pipeline = await LocalPipeline.startEnvironment(environment, {
    reset: false,
    concurrency: options.concurrency ?? 1,
    duplicateRate: 0,
    notifications: false,
    command: options.command,
    // An adopted bucket holds what a team's bucket would, as with make local (an empty one only).
    seedAdoptedBuckets: true,
  });
  try {
    const lambda = await pipeline.serveLambdaApi();
    return connection(pipeline.model, undefined, { s3: pipeline.s3.endpoint, sqs: pipeline.sqs.endpoint, lambda }, () => pipeline.close());
  } catch (error) {
    await pipeline.close();
    throw error;
  }
}
