import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CASES } from '../../scripts/lib/hostile';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';
import { thumbnailKeyOf } from '../support/outputs';

const keyOf = (index: number) => `hostile/${String(index).padStart(2, '0')}.jpg`;

let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;

beforeAll(async () => {
  // The stack's own limits: these inputs must be stopped by the defaults users deploy.
  session = await openLocalStack();
  ({ pipeline, client } = session);
  for (const [index, hostile] of HOSTILE_CASES.entries()) {
    await client.send(new PutObjectCommand({ Bucket: session.originals, Key: keyOf(index), Body: await hostile.make() }));
  }
  await pipeline.idle();
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('hostile uploads through the packaged function', () => {
  it.each(HOSTILE_CASES.map((hostile, index) => [hostile.name, hostile, index] as const))('%s', async (_, hostile, index) => {
    const key = keyOf(index);
    const deliveries = pipeline.deliveries.filter((delivery) => delivery.key === key);
    // One invocation that ended by itself: no timeout, no crash, no retry.
    expect(deliveries.map((delivery) => [delivery.result.ok, delivery.result.attempts])).toEqual([[true, 1]]);
    const failures = pipeline.failureRecords().filter((record) => record.responsePayload.key === key);
    const thumbnailKey = thumbnailKeyOf(key);
    const head = await client.send(new HeadObjectCommand({ Bucket: session.thumbnails, Key: thumbnailKey })).catch(() => undefined);
    if ('thumbnail' in hostile.expect) {
      expect(failures).toEqual([]);
      expect(head?.ContentLength).toBeGreaterThan(0);
    } else {
      expect(head).toBeUndefined();
      expect(failures.map((record) => [record.requestContext.condition, record.responsePayload.errorType])).toEqual([
        ['PermanentFailure', hostile.expect.refused],
      ]);
      if (hostile.expect.limit) expect(failures[0]?.responsePayload.errorMessage).toContain(`over the ${hostile.expect.limit} limit`);
    }
  });
});
