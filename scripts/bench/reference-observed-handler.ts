/**
 * The reference handler (reference-handler.ts) plus only the observability ours keeps: Powertools'
 * Logger (one JSON line per image, with the invocation's context) and Metrics (three metrics in
 * CloudWatch's embedded format). No validation, no idempotency. `make bench` runs it beside ours
 * and the bare reference, to show what logs and metrics cost a cold start on their own.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { ENV, SERVICE } from '../../handlers/thumbnail/constants';

const s3 = new S3Client({});
const logger = new Logger({ serviceName: SERVICE.name });
const metrics = new Metrics({ namespace: SERVICE.metricsNamespace, serviceName: SERVICE.name });

export async function handler(event: S3Event, context: Context): Promise<void> {
  logger.addContext(context);
  try {
    for (const record of event.Records) {
      const started = performance.now();
      const source = await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: record.s3.object.key }));
      const input = await source.Body?.transformToByteArray();
      if (!input) throw new Error(`empty object ${record.s3.object.key}`);
      const thumbnail = await sharp(input).resize(100).jpeg().toBuffer();
      const key = `${record.s3.object.key}-thumbnail.jpg`;
      await s3.send(new PutObjectCommand({ Bucket: process.env[ENV.destinationBucket], Key: key, Body: thumbnail }));
      const ms = Math.round(performance.now() - started);
      metrics.addMetric('ThumbnailsWritten', 'Count', 1);
      metrics.addMetric('SourceBytes', 'Bytes', input.byteLength);
      metrics.addMetric('ProcessingTime', 'Milliseconds', ms);
      logger.info('thumbnail written', { source: { key: record.s3.object.key, bytes: input.byteLength }, output: { key }, ms });
    }
  } finally {
    metrics.publishStoredMetrics();
  }
}
