/**
 * The least a thumbnail function on this stack can load and do: the S3 client and sharp, one
 * GetObject, one resize, one PutObject; no validation, logging, metrics or idempotency. `make bench`
 * packages it like the real handler to show what its cold start costs before any code of ours, and
 * reads the time of each of its steps to put a floor under both (the timing is three clock reads).
 */

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { ENV } from '../../handlers/thumbnail/constants';

const s3 = new S3Client({});

/** How long each step took, for the bench's floor: the download, the render (decode, resize, encode) and the upload. */
export interface Steps {
  downloadMs: number;
  renderMs: number;
  uploadMs: number;
}

export async function handler(event: S3Event): Promise<Steps> {
  const steps: Steps = { downloadMs: 0, renderMs: 0, uploadMs: 0 };
  for (const record of event.Records) {
    const started = performance.now();
    const source = await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: record.s3.object.key }));
    const input = await source.Body?.transformToByteArray();
    if (!input) throw new Error(`empty object ${record.s3.object.key}`);
    const downloaded = performance.now();
    const thumbnail = await sharp(input).resize(100).jpeg().toBuffer();
    const rendered = performance.now();
    await s3.send(
      new PutObjectCommand({ Bucket: process.env[ENV.destinationBucket], Key: `${record.s3.object.key}-thumbnail.jpg`, Body: thumbnail }),
    );
    steps.downloadMs += downloaded - started;
    steps.renderMs += rendered - downloaded;
    steps.uploadMs += performance.now() - rendered;
  }
  return steps;
}
