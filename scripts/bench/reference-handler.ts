/**
 * The least a thumbnail function on this stack can load and do: the S3 client and sharp, one
 * GetObject, one resize, one PutObject; no validation, logging, metrics or idempotency. `make bench`
 * packages it like the real handler to show what its cold start costs before any code of ours.
 */

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { ENV } from '../../handlers/thumbnail/constants';

const s3 = new S3Client({});

export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    const source = await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: record.s3.object.key }));
    const input = await source.Body?.transformToByteArray();
    if (!input) throw new Error(`empty object ${record.s3.object.key}`);
    const thumbnail = await sharp(input).resize(100).jpeg().toBuffer();
    await s3.send(
      new PutObjectCommand({ Bucket: process.env[ENV.destinationBucket], Key: `${record.s3.object.key}-thumbnail.jpg`, Body: thumbnail }),
    );
  }
}
