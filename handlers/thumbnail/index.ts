/**
 * Lambda entry point for the thumbnail function. Clients and configuration are built once per
 * execution environment (at init); each invocation only runs the event processor.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context } from 'aws-lambda';
import { loadConfig } from './config';
import { SERVICE } from './constants';
import type { FailureRecorder } from './failure-record';
import { readImageHeader, renderThumbnails } from './image';
import { createEventProcessor } from './process-event';
import { createSqsFailureRecorder } from './sqs-recorder';
import { createS3Storage } from './storage';

const config = loadConfig();
const logger = new Logger({ serviceName: SERVICE.name });
const metrics = new Metrics({ namespace: SERVICE.metricsNamespace, serviceName: SERVICE.name });

// Default credential and endpoint resolution: AWS_ENDPOINT_URL_S3 / _SQS point these at local servers.
// Timeouts turn a stalled connection into an error the SDK's retry strategy (with jitter) retries.
const requestHandler = new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: config.s3RequestTimeoutMs });
const s3 = new S3Client({ requestHandler });

const loggedOnly: FailureRecorder = {
  async record(record) {
    logger.error('no FAILURE_QUEUE_URL: failure recorded in the log only', { failureRecord: record });
  },
};

const processEvent = createEventProcessor({
  config,
  storage: createS3Storage(s3, config),
  recorder: config.failureQueueUrl ? createSqsFailureRecorder(config.failureQueueUrl, { requestHandler }) : loggedOnly,
  image: { readImageHeader, renderThumbnails },
  log: logger,
  metrics,
  now: () => performance.now(),
  wallClock: () => new Date(),
});

export async function handler(event: unknown, context: Context) {
  logger.addContext(context);
  try {
    return await processEvent(event, {
      requestId: context.awsRequestId,
      functionArn: context.invokedFunctionArn,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
