import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateConditions } from '../../../scripts/local/s3-conditional-requests';
import { type LocalS3, startLocalS3 } from '../../../scripts/local/s3-server';
import { tempDir } from '../../support/tmp';

describe('evaluateConditions', () => {
  it.each([
    ['PUT', { ifNoneMatch: '*' }, undefined, undefined],
    ['PUT', { ifNoneMatch: '*' }, '"e1"', 412],
    ['PUT', { ifMatch: '"e1"' }, '"e1"', undefined],
    ['PUT', { ifMatch: 'e1' }, '"e1"', undefined],
    ['PUT', { ifMatch: '"e0"' }, '"e1"', 412],
    ['PUT', { ifMatch: '"e0"' }, undefined, 404],
    ['DELETE', { ifMatch: '"e0"' }, '"e1"', 412],
    ['DELETE', { ifMatch: '"e0"' }, undefined, undefined],
    ['GET', { ifMatch: '"e0"' }, '"e1"', 412],
  ] as const)('%s %j on %s -> %s', (method, conditions, etag, status) => {
    expect(evaluateConditions(method, conditions, etag)?.status).toBe(status);
  });
});

describe('the local S3 server with conditional requests', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startLocalS3({ directory: tempDir('conditional'), buckets: ['b'] });
    client = s3.client('us-east-1');
  });

  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('lets exactly one of many concurrent create-if-absent writes win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.send(new PutObjectCommand({ Bucket: 'b', Key: 'race key.jpg', Body: `v${i}`, IfNoneMatch: '*' })),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason.name)).toEqual(
      Array(7).fill('PreconditionFailed'),
    );
  });

  it('replaces an object only if it is still the version the writer saw', async () => {
    const first = await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'v.jpg', Body: 'one' }));
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'v.jpg', Body: 'two', IfMatch: first.ETag }));
    await expect(client.send(new PutObjectCommand({ Bucket: 'b', Key: 'v.jpg', Body: 'three', IfMatch: first.ETag }))).rejects.toThrow(
      /PreconditionFailed|pre-conditions/,
    );
    const current = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'v.jpg' }));
    expect(await current.Body?.transformToString()).toBe('two');
  });

  it('refuses a read or a delete of a version that has been replaced', async () => {
    await expect(client.send(new GetObjectCommand({ Bucket: 'b', Key: 'v.jpg', IfMatch: '"stale"' }))).rejects.toThrow(
      /PreconditionFailed|pre-conditions/,
    );
    await expect(client.send(new DeleteObjectCommand({ Bucket: 'b', Key: 'v.jpg', IfMatch: '"stale"' }))).rejects.toThrow(
      /PreconditionFailed|pre-conditions/,
    );
  });

  it("never shows one write's metadata with another write's bytes", async () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const heads = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? client
              .send(
                new PutObjectCommand({
                  Bucket: 'b',
                  Key: 'atomic.jpg',
                  Body: `version ${i}`.repeat(200_000),
                  Metadata: { version: String(i) },
                }),
              )
              .then(() => undefined)
          : client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'atomic.jpg' })).catch(() => undefined),
      ),
    );
    for (const head of heads.filter((h) => h !== undefined)) {
      expect(head?.ETag).toBe(`"${md5(`version ${head?.Metadata?.['version']}`.repeat(200_000))}"`);
    }
  });
});
