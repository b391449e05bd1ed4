import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoJpeg } from '../../scripts/lib/samples';
import type { LocalPipeline } from '../../scripts/local/pipeline';
import { jsonLogLines } from '../../scripts/local/reports';
import { SequencerClock, s3EventRecord } from '../../scripts/local/s3-events';
import { type LocalStackSession, openLocalStack } from '../support/local-stack';

// Events are made by hand here (notifications off), so the tests decide their order and number.
let session: LocalStackSession;
let pipeline: LocalPipeline;
let client: S3Client;
let originals: string;
let thumbnails: string;
const clock = new SequencerClock();

async function upload(key: string, seed: number) {
  const put = await client.send(new PutObjectCommand({ Bucket: originals, Key: key, Body: await photoJpeg(320, 240, { seed }) }));
  return { eventName: 'ObjectCreated:Put', key, eTag: (put.ETag ?? '').replace(/"/g, ''), size: 1, sequencer: clock.next() };
}

async function remove(key: string) {
  await client.send(new DeleteObjectCommand({ Bucket: originals, Key: key }));
  return { eventName: 'ObjectRemoved:Delete', key, sequencer: clock.next() };
}

function deliver(event: { eventName: string; key: string; eTag?: string; size?: number; sequencer: string }) {
  const record = s3EventRecord(
    { ...event, bucket: originals },
    { region: pipeline.model.region, time: new Date(), requestId: 'TEST', configurationId: 'test' },
  );
  return pipeline.invokeAsync('thumbnail', { Records: [record] });
}

const thumbnail = (key: string) => client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: key })).catch(() => undefined);

beforeAll(async () => {
  session = await openLocalStack({}, { notifications: false });
  ({ pipeline, client, originals, thumbnails } = session);
});

afterAll(async () => {
  await session?.close();
});

/** How many "thumbnail written" lines the given deliveries logged. */
async function writtenBy(results: Promise<{ report?: { logs: readonly string[] } }>[]) {
  const settled = await Promise.all(results);
  return settled.flatMap((result) => jsonLogLines(result.report as never)).filter((line) => line['message'] === 'thumbnail written').length;
}

describe('ordering and duplicates', () => {
  it('writes once when the same event arrives three times at once', async () => {
    const event = await upload('dup/same.jpg', 1);
    expect(await writtenBy([deliver(event), deliver(event), deliver(event)])).toBe(1);
    expect((await thumbnail('dup/same-thumbnail.jpg'))?.Metadata?.['source-etag']).toBe(event.eTag);
  });

  it('rewrites nothing when the event arrives three more times later', async () => {
    const event = await upload('dup/later.jpg', 2);
    await deliver(event);
    const before = await thumbnail('dup/later-thumbnail.jpg');
    expect(await writtenBy([deliver(event)])).toBe(0);
    expect(await writtenBy([deliver(event)])).toBe(0);
    expect(await writtenBy([deliver(event)])).toBe(0);
    expect((await thumbnail('dup/later-thumbnail.jpg'))?.ETag).toBe(before?.ETag);
  });

  it('keeps the newer thumbnail when an old event arrives after a new one', async () => {
    const older = await upload('swap/a.jpg', 3);
    const newer = await upload('swap/a.jpg', 4);
    expect(await writtenBy([deliver(newer)])).toBe(1);
    expect(await writtenBy([deliver(older)])).toBe(0);
    const head = await thumbnail('swap/a-thumbnail.jpg');
    expect(head?.Metadata).toMatchObject({ 'source-etag': newer.eTag, 'source-sequencer': newer.sequencer });
  });

  it('makes the newer thumbnail when the old event comes first but the object has already changed', async () => {
    const older = await upload('swap/b.jpg', 5);
    const newer = await upload('swap/b.jpg', 6);
    expect(await writtenBy([deliver(older)])).toBe(0);
    expect(await thumbnail('swap/b-thumbnail.jpg')).toBeUndefined();
    expect(await writtenBy([deliver(newer)])).toBe(1);
    expect((await thumbnail('swap/b-thumbnail.jpg'))?.Metadata?.['source-etag']).toBe(newer.eTag);
  });

  it('keeps the thumbnail of a re-upload when the earlier delete arrives after it', async () => {
    const first = await upload('redo/c.jpg', 7);
    await deliver(first);
    const deleted = await remove('redo/c.jpg');
    const again = await upload('redo/c.jpg', 8);
    await deliver(again);
    await deliver(deleted);
    expect((await thumbnail('redo/c-thumbnail.jpg'))?.Metadata?.['source-etag']).toBe(again.eTag);
  });

  it('deletes the thumbnail when the delete is the newest event', async () => {
    const created = await upload('redo/d.jpg', 9);
    await deliver(created);
    const deleted = await remove('redo/d.jpg');
    await deliver(deleted);
    await deliver(created);
    expect(await thumbnail('redo/d-thumbnail.jpg')).toBeUndefined();
  });
});
