import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { photoJpeg } from '../../scripts/lib/samples';
import { LOCAL_CREDENTIALS } from '../../scripts/local/s3-server';
import { queueUrl } from '../../scripts/local/stack-model';
import { redrive } from '../../scripts/redrive';
import { startLocalStack, synthRealStack } from '../support/local-stack';
import { tempDir } from '../support/tmp';

describe('make redrive, locally', () => {
  it('replays failures recorded while S3 was unreachable, once it is back, and empties the queue', async () => {
    const stackDir = synthRealStack();
    const dataDir = tempDir('redrive-data');

    // 1. The function cannot reach S3: the upload ends in the failure queue after Lambda's retries.
    const broken = await startLocalStack(
      {},
      { stackDir, dataDir, environmentOverrides: { thumbnail: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } } },
    );
    const originals = broken.buckets.triggering[0] as string;
    const queue = broken.failureQueues[0] ?? '';
    const uploader = broken.s3Client();
    await uploader.send(new PutObjectCommand({ Bucket: originals, Key: 'later/photo one.jpg', Body: await photoJpeg(300, 200) }));
    uploader.destroy();
    await broken.idle();
    expect(broken.sqs.messages(queue)).toHaveLength(1);
    await broken.close();

    // 2. Fixed: the same stack and data, S3 reachable. Redrive.
    const fixed = await startLocalStack({}, { stackDir, dataDir, reset: false, notifications: false });
    const sqs = new SQSClient({ endpoint: fixed.sqs.endpoint, region: fixed.model.region, credentials: LOCAL_CREDENTIALS });
    const outcomes: Promise<boolean>[] = [];
    const report = await redrive(
      sqs,
      queueUrl(fixed.endpoints, queue),
      async (event) => {
        outcomes.push(fixed.invokeAsync('thumbnail', event).then((r) => r.ok));
        return 'accepted';
      },
      {
        dryRun: false,
        limit: Infinity,
      },
    );
    await fixed.idle();
    expect(report.replayed.map((r) => [r.key, r.errorType])).toEqual([['later/photo one.jpg', 'TransientStorageError']]);
    expect(await Promise.all(outcomes)).toEqual([true]);
    const checker = fixed.s3Client();
    const thumbnails = fixed.functionVariable('thumbnail', 'THUMBNAIL_BUCKET');
    expect((await checker.send(new HeadObjectCommand({ Bucket: thumbnails, Key: 'later/photo one-thumbnail.jpg' }))).ContentType).toBe(
      'image/jpeg',
    );
    expect(fixed.sqs.messages(queue)).toEqual([]);
    checker.destroy();
    sqs.destroy();
    await fixed.close();
  });
});
