import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { fillS3Event } from '../../scripts/invoke';
import { startLocalS3 } from '../../scripts/local/s3-server';
import { loadEvent } from '../support/events';
import { test } from '../support/tmp';

describe('fillS3Event', () => {
  test('points an EventBridge example at the local bucket, uploads its sample and describes it as S3 would', async ({ tmp }) => {
    const s3 = await startLocalS3({ directory: join(tmp, 's3'), buckets: ['originals'] });
    const client = s3.client();
    try {
      const event = (await fillS3Event(loadEvent('eventbridge-object-created.json'), 'originals', client)) as {
        resources: string[];
        detail: { bucket: { name: string }; object: { key: string; size: number; etag: string; sequencer: string } };
      };
      expect(event.resources).toEqual(['arn:aws:s3:::originals']);
      expect(event.detail.bucket.name).toBe('originals');
      expect(event.detail.object.key).toBe('samples/landscape.jpg');
      expect(event.detail.object.size).toBeGreaterThan(1024);
      expect(event.detail.object.etag).toMatch(/^[0-9a-f]{32}$/);
      expect(event.detail.object.sequencer).toMatch(/^[0-9A-F]+$/);
    } finally {
      client.destroy();
      await s3.close();
    }
  });
});
