/**
 * Backfill throughput on the local stack (`make bench`, section backfill): existing objects
 * backfilled through the packaged function with Batch events, at concurrency 1 and 4, then the
 * same again once every thumbnail exists (what a re-run costs). S3 on loopback: real S3 adds
 * round trips, which more concurrency hides.
 */

import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readEnvironment } from '../../infra/environments-file';
import { jobBucketPrefix } from '../../infra/names';
import { runLocalBackfill } from '../backfill/local-run';
import { photoJpeg } from '../lib/samples';
import { mapLimit } from '../local';
import { LocalPipeline } from '../local/pipeline';
import { LOCAL_CREDENTIALS } from '../local/s3-server';
import { localBucketName } from '../local/stack-model';

export interface BackfillRun {
  readonly concurrency: number;
  readonly objects: number;
  /** Thumbnails missing (first run) or all current (re-run). */
  readonly run: 'first' | 'again';
  readonly seconds: number;
  readonly perSecond: number;
  readonly succeeded: number;
}

export async function backfillBenchmark(dir: string, objects: number, concurrencies: readonly number[]): Promise<BackfillRun[]> {
  const config = readEnvironment('dev');
  const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => photoJpeg(1200, 900, { seed: 700 + i })));
  const runs: BackfillRun[] = [];
  for (const concurrency of concurrencies) {
    const pipeline = await LocalPipeline.startEnvironment('dev', {
      dataDir: join(dir, `backfill-${concurrency}`),
      reset: true,
      concurrency,
      duplicateRate: 0,
      notifications: false,
    });
    const s3 = pipeline.s3Client();
    const lambda = new LambdaClient({
      endpoint: await pipeline.serveLambdaApi(),
      region: pipeline.model.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const target = {
        s3,
        lambda,
        functionName: pipeline.functionModel('thumbnail').functionName,
        originals: pipeline.buckets.triggering[0] as string,
        jobBucket: localBucketName({ bucket_prefix: jobBucketPrefix(config.namePrefix) }),
      };
      await mapLimit(
        Array.from({ length: objects }, (_, i) => i),
        8,
        (i) => s3.send(new PutObjectCommand({ Bucket: target.originals, Key: `existing/${i}.jpg`, Body: bodies[i % bodies.length] })),
      );
      for (const run of ['first', 'again'] as const) {
        const started = performance.now();
        const result = await runLocalBackfill(target, { suffixes: config.thumbnail.triggerSuffixes, concurrency });
        const seconds = (performance.now() - started) / 1000;
        runs.push({ concurrency, objects, run, seconds, perSecond: result.total / seconds, succeeded: result.counts.Succeeded });
      }
    } finally {
      s3.destroy();
      lambda.destroy();
      await pipeline.close();
    }
  }
  return runs;
}
