/**
 * Downloading originals (createS3Storage.getOriginal) against the local S3 server, behind the
 * proxy that paces downloads as one S3 GET stream is paced: whole or in ranges, checked as the
 * bytes arrive, aborted when the check or the deadline says so, and never a mix of versions.
 */

import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRanges } from '../../../handlers/thumbnail/download';
import { DecodeLimitError } from '../../../handlers/thumbnail/errors';
import { createS3Storage } from '../../../handlers/thumbnail/storage';
import { SOURCE_CHANGED, SOURCE_GONE, type SourceRecord } from '../../../handlers/thumbnail/types';
import { type FaultProxy, startFaultProxy } from '../../../scripts/local/fault-proxy';
import { LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '../../../scripts/local/s3-server';
import { tempDir } from '../../support/tmp';

const BUCKET = 'originals';
const PLAN = { partBytes: 256 * 1024, maxParts: 4 };
const dir = tempDir('storage');

let s3: LocalS3;
let proxy: FaultProxy;
let client: S3Client;
let writer: S3Client;

beforeAll(async () => {
  s3 = await startLocalS3({ directory: dir, buckets: [BUCKET] });
  // 4 MB/s per connection: a 2 MB object takes half a second on one, so an early abort is visible in the bytes sent.
  proxy = await startFaultProxy(s3.endpoint, { share: 0, downloadBytesPerSecond: 4e6 });
  client = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  writer = s3.client('us-east-1');
});

afterAll(async () => {
  client?.destroy();
  writer?.destroy();
  await proxy?.close();
  await s3?.close();
});

async function put(key: string, body: Buffer): Promise<SourceRecord> {
  const { ETag } = await writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return { bucket: BUCKET, key, eTag: ETag?.replace(/"/g, ''), size: body.length } as SourceRecord;
}

const storage = (maxInputBytes = 50 * 1024 * 1024) => createS3Storage(client, { maxInputBytes, download: PLAN });

/** Requests and body bytes the proxy passed while `work` ran. */
async function measured<T>(work: () => Promise<T>) {
  const before = { requests: proxy.stats.requests, bytes: proxy.stats.bytesSent };
  const result = await work().catch((error: unknown) => ({ error }));
  return { result, requests: proxy.stats.requests - before.requests, bytes: proxy.stats.bytesSent - before.bytes };
}

describe('getOriginal', () => {
  it('fetches an object the event names by ETag and size in ranges at once, and hands over exactly its bytes', async () => {
    const bytes = randomBytes(1_000_000 + 17);
    const record = await put('ranges.jpg', bytes);
    const seen: number[] = [];
    const { result, requests } = await measured(() =>
      storage().getOriginal(record, { inspect: (_, available, total) => void seen.push(available, total) }),
    );
    expect(Buffer.from((result as { body: Uint8Array }).body).equals(bytes)).toBe(true);
    expect(requests).toBe(planRanges(bytes.length, PLAN).length);
    expect(requests).toBe(3);
    // `available` only grows, reaches the whole object, and the total is always the object's size.
    const available = seen.filter((_, i) => i % 2 === 0);
    expect(available).toEqual([...available].sort((a, b) => a - b));
    expect(available.at(-1)).toBe(bytes.length);
    expect(new Set(seen.filter((_, i) => i % 2 === 1))).toEqual(new Set([bytes.length]));
  });

  it('fetches a small object, or one the event does not size, with one GET', async () => {
    const small = randomBytes(300_000);
    const smallRecord = await put('small.jpg', small);
    expect((await measured(() => storage().getOriginal(smallRecord))).requests).toBe(1);
    const large = randomBytes(900_000);
    const { size: _size, eTag: _eTag, ...unsized } = await put('unsized.jpg', large);
    const { result, requests } = await measured(() => storage().getOriginal(unsized as SourceRecord));
    expect(requests).toBe(1);
    expect(Buffer.from((result as { body: Uint8Array }).body).equals(large)).toBe(true);
  });

  it('says the source changed when the object is no longer the version the event names, and gone when it is deleted', async () => {
    const record = await put('changing.jpg', randomBytes(800_000));
    await put('changing.jpg', randomBytes(800_000));
    expect(await storage().getOriginal(record)).toBe(SOURCE_CHANGED);
    expect(await storage().getOriginal({ ...record, key: 'never-there.jpg' })).toBe(SOURCE_GONE);
    // Same ETag, another size: not the version the event describes.
    const sized = await put('sized.jpg', randomBytes(800_000));
    expect(await storage().getOriginal({ ...sized, size: 900_000 })).toBe(SOURCE_CHANGED);
  });

  it('stops downloading as soon as the check refuses what arrived, and rejects with its error', async () => {
    const bytes = randomBytes(2_000_000);
    const record = await put('refused.jpg', bytes);
    const refusal = new DecodeLimitError('scans', 'refused after the first piece');
    let calls = 0;
    const { result, bytes: sent } = await measured(() =>
      storage().getOriginal(record, {
        inspect: () => {
          calls++;
          throw refusal;
        },
      }),
    );
    expect(result).toEqual({ error: refusal });
    expect(calls).toBe(1);
    // Far less than the object went out: the ranges were cut off, not read to the end.
    expect(sent).toBeLessThan(bytes.length / 2);
  });

  it("stops at the caller's signal (the invocation's deadline) with its reason", async () => {
    const record = await put('slow.jpg', randomBytes(2_000_000));
    const deadline = new AbortController();
    const reason = new Error('deadline');
    setTimeout(() => deadline.abort(reason), 50);
    const { result, bytes: sent } = await measured(() => storage().getOriginal(record, { signal: deadline.signal }));
    expect(result).toEqual({ error: reason });
    expect(sent).toBeLessThan(2_000_000 / 2);
  });
});

describe('planRanges', () => {
  it('cuts an object into contiguous ranges of at least the part size, at most maxParts, covering every byte once', () => {
    for (const size of [1, 255_999, 256 * 1024, 600_000, 1_048_576, 10_000_001]) {
      const ranges = planRanges(size, PLAN);
      expect(ranges[0]?.start).toBe(0);
      expect(ranges.at(-1)?.end).toBe(size);
      for (const [i, range] of ranges.entries()) if (i > 0) expect(range.start).toBe(ranges[i - 1]?.end);
      expect(ranges.length).toBeLessThanOrEqual(PLAN.maxParts);
      if (ranges.length > 1) for (const range of ranges) expect(range.end - range.start).toBeGreaterThanOrEqual(PLAN.partBytes);
    }
  });
});
