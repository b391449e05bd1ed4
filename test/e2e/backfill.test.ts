/**
 * Backfill end to end on the local stack: objects already in the originals bucket (uploaded with
 * notifications off, as if they predated the stack), the packaged function invoked with S3 Batch
 * Operations events, and the completion report in Batch's format.
 */

import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobBucketPrefix } from '../../infra/names';
import { type LocalBackfillResult, type LocalBackfillTarget, runLocalBackfill } from '../../scripts/backfill/local-run';
import { readReport } from '../../scripts/backfill-status';
import { NOT_JPEG, photoJpeg } from '../../scripts/lib/samples';
import { mapLimit } from '../../scripts/local';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { LOCAL_CREDENTIALS } from '../../scripts/local/s3-server';
import { localBucketName } from '../../scripts/local/stack-model';
import { startLocalStack, synthRealStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';
import { tempDir } from '../support/tmp';

const JOB_BUCKET = localBucketName({ bucket_prefix: jobBucketPrefix('thumbnails-dev') });
const SUFFIXES = ['.jpg'];

/** 1,000 objects: 950 JPEGs, 30 files named .jpg that are not JPEGs, 20 the trigger would never see. */
function objects(): { key: string; kind: 'jpeg' | 'not-jpeg' | 'other' }[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const folder = `existing/${String(i % 17).padStart(2, '0')} photos`;
    if (i % 50 === 7) return { key: `${folder}/notes ${i}.txt`, kind: 'other' as const };
    if (i % 50 === 3 || i % 50 === 29) return { key: `${folder}/fake ${i}.jpg`, kind: 'not-jpeg' as const };
    if (i % 50 === 41) return { key: `${folder}/fake+plus ${i}.jpg`, kind: 'not-jpeg' as const };
    return { key: `${folder}/IMG ${i}+copy.jpg`, kind: 'jpeg' as const };
  });
}

async function connect(pipeline: LocalPipeline): Promise<LocalBackfillTarget & { close(): void }> {
  const endpoint = await pipeline.serveLambdaApi();
  const lambda = new LambdaClient({ endpoint, region: pipeline.model.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const s3 = pipeline.s3Client();
  return {
    s3,
    lambda,
    functionName: pipeline.functionModel('thumbnail').functionName,
    originals: pipeline.buckets.triggering[0] as string,
    jobBucket: JOB_BUCKET,
    close: () => {
      s3.destroy();
      lambda.destroy();
    },
  };
}

async function keysOf(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

describe('make backfill LOCAL=1: 1,000 existing objects through the packaged function, as S3 Batch Operations runs them', () => {
  const stackDir = synthRealStack();
  let pipeline: LocalPipeline;
  let target: Awaited<ReturnType<typeof connect>>;
  let first: LocalBackfillResult;
  let thumbnailsBucket: string;
  const all = objects();
  const jpegs = all.filter((object) => object.kind === 'jpeg');
  const fakes = all.filter((object) => object.kind === 'not-jpeg');

  beforeAll(async () => {
    pipeline = await startLocalStack({}, { stackDir, notifications: false, concurrency: 4 });
    target = await connect(pipeline);
    thumbnailsBucket = pipeline.buckets.other.find((name) => name.includes('-thumbnails-')) as string;
    const bodies = await Promise.all(Array.from({ length: 10 }, (_, i) => photoJpeg(96 + i * 8, 64, { seed: i })));
    const png = await NOT_JPEG.png();
    await mapLimit(all, 16, (object, i) =>
      target.s3.send(
        new PutObjectCommand({ Bucket: target.originals, Key: object.key, Body: object.kind === 'jpeg' ? bodies[i % bodies.length] : png }),
      ),
    );
    first = await runLocalBackfill(target, { suffixes: SUFFIXES, concurrency: 4 });
  }, 300_000);

  afterAll(async () => {
    target?.close();
    await pipeline?.close();
  });

  it('makes the thumbnail of every JPEG, and nothing else', async () => {
    const expected = jpegs.map((object) => thumbnailKeyOf(object.key)).sort();
    expect(await keysOf(target.s3, thumbnailsBucket)).toEqual(expected);
  });

  it('reports every task with the right code, in the report S3 Batch Operations writes', async () => {
    expect(first.total).toBe(jpegs.length + fakes.length);
    expect(first.counts).toEqual({ Succeeded: jpegs.length, TemporaryFailure: 0, PermanentFailure: fakes.length });
    const rows = (await readReport(target.s3, JOB_BUCKET, first.jobId)) ?? [];
    expect(rows).toHaveLength(first.total);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    for (const object of jpegs)
      expect(byKey.get(object.key)).toMatchObject({ taskStatus: 'succeeded', resultMessage: expect.stringMatching(/^written: /) });
    for (const object of fakes)
      expect(byKey.get(object.key)).toMatchObject({
        taskStatus: 'failed',
        errorCode: 'PermanentFailure',
        resultMessage: expect.stringMatching(/^UnsupportedFormatError/),
      });
    // The manifest lists exactly the tasks.
    expect(await keysOf(target.s3, JOB_BUCKET)).toContain(first.manifestKey);
  });

  it('writes real thumbnails', async () => {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const key = thumbnailKeyOf(jpegs[0]?.key as string);
    const object = await target.s3.send(new GetObjectCommand({ Bucket: thumbnailsBucket, Key: key }));
    const metadata = await sharp(await object.Body!.transformToByteArray()).metadata();
    expect([metadata.format, metadata.width]).toEqual(['jpeg', 96]);
  });

  it('writes nothing on a second run: every current thumbnail is skipped without downloading its original', async () => {
    const before = await keysOf(target.s3, thumbnailsBucket);
    const second = await runLocalBackfill(target, { suffixes: SUFFIXES, concurrency: 4 });
    expect(second.counts).toEqual({ Succeeded: jpegs.length, TemporaryFailure: 0, PermanentFailure: fakes.length });
    const succeeded = second.rows.filter((row) => row.taskStatus === 'succeeded');
    expect(succeeded.every((row) => row.resultMessage === 'skipped: duplicate')).toBe(true);
    expect(await keysOf(target.s3, thumbnailsBucket)).toEqual(before);
  });
});

describe('make backfill LOCAL=1 with S3 failing: transient failures come back as TemporaryFailure, and a re-run completes them', () => {
  const stackDir = synthRealStack();
  const dataDir = tempDir('backfill-faults');
  const keys = Array.from({ length: 40 }, (_, i) => `faulty/photo ${i}.jpg`);

  it('reports TemporaryFailure where S3 kept failing, then a re-run without faults makes every thumbnail', async () => {
    const faulty = await startLocalStack(
      {},
      { stackDir, dataDir, notifications: false, concurrency: 4, faults: { share: 0.7, kinds: ['InternalError'], seed: 7 } },
    );
    let first: LocalBackfillResult;
    try {
      const target = await connect(faulty);
      const body = await photoJpeg(120, 90);
      // Uploads go straight to the server; only the function's requests pass the fault proxy.
      await mapLimit(keys, 8, (key) => target.s3.send(new PutObjectCommand({ Bucket: target.originals, Key: key, Body: body })));
      first = await runLocalBackfill(target, { suffixes: SUFFIXES, concurrency: 4 });
      target.close();
    } finally {
      await faulty.close();
    }
    expect(first.counts.TemporaryFailure).toBeGreaterThan(0);
    expect(first.counts.PermanentFailure).toBe(0);
    expect(
      first.rows
        .filter((row) => row.errorCode === 'TemporaryFailure')
        .every((row) => /InternalError|TransientStorage/.test(row.resultMessage)),
    ).toBe(true);

    const healthy = await startLocalStack({}, { stackDir, dataDir, reset: false, notifications: false, concurrency: 4 });
    try {
      const target = await connect(healthy);
      const second = await runLocalBackfill(target, { suffixes: SUFFIXES, concurrency: 4 });
      expect(second.counts).toEqual({ Succeeded: keys.length, TemporaryFailure: 0, PermanentFailure: 0 });
      // What the first run finished is skipped; what failed transiently is written now.
      const written = second.rows.filter((row) => row.resultMessage.startsWith('written: ')).length;
      expect(written).toBe(first.counts.TemporaryFailure);
      const thumbnails = await keysOf(target.s3, healthy.buckets.other.find((name) => name.includes('-thumbnails-')) as string);
      expect(thumbnails).toHaveLength(keys.length);
      target.close();
    } finally {
      await healthy.close();
    }
  }, 300_000);
});
