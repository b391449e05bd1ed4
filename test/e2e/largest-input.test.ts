import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../infra/config';
import { grainJpeg } from '../../scripts/lib/samples';
import { startLocalStack } from '../support/local-stack';

describe('the largest input the default limits accept', () => {
  it("is thumbnailed within the function's configured memory (peak printed)", async () => {
    const side = Math.floor(Math.sqrt(DEFAULT_CONFIG.thumbnail.maxInputPixels));
    const jpeg = await grainJpeg(side, side);
    expect(side * side).toBeLessThanOrEqual(DEFAULT_CONFIG.thumbnail.maxInputPixels);
    expect(jpeg.length).toBeLessThanOrEqual(DEFAULT_CONFIG.thumbnail.maxInputBytes);
    expect(jpeg.length).toBeGreaterThan(DEFAULT_CONFIG.thumbnail.maxInputBytes * 0.7);

    const pipeline = await startLocalStack({}, { concurrency: 1 });
    const client = pipeline.s3Client();
    try {
      await client.send(new PutObjectCommand({ Bucket: pipeline.buckets.triggering[0], Key: 'huge/largest.jpg', Body: jpeg }));
      await pipeline.idle();
      const [delivery] = pipeline.deliveries;
      const memoryMB = pipeline.functionModel('thumbnail').memoryMB;
      console.log(
        `largest input: ${side}x${side} (${((side * side) / 1e6).toFixed(0)} MP), ${(jpeg.length / 1048576).toFixed(1)} MiB -> ` +
          `peak ${delivery?.result.report?.maxMemoryMB} MB of ${memoryMB} MB, ${delivery?.result.report?.durationMs.toFixed(0)} ms`,
      );
      expect(delivery?.result).toMatchObject({ ok: true, attempts: 1 });
      expect(delivery?.result.report?.maxMemoryMB).toBeLessThan(memoryMB);
      const thumbnails = pipeline.functionVariable('thumbnail', 'THUMBNAIL_BUCKET');
      expect((await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: 'huge/largest-thumbnail.jpg' }))).ContentType).toBe(
        'image/jpeg',
      );
    } finally {
      client.destroy();
      await pipeline.close();
    }
  }, 300_000);
});
