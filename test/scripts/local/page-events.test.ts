import { describe, expect, it } from 'vitest';
import { objectUrl, pageEvent } from '../../../scripts/local/page-events';
import { uploadKey } from '../../../scripts/local/page-server';
import type { Delivery } from '../../../scripts/local/pipeline';

const S3 = 'http://127.0.0.1:4569';
const delivery = (logs: object[], ok = true): Delivery =>
  ({
    function: 'thumbnail',
    bucket: 'originals',
    key: 'uploads/a b+c.jpg',
    eventName: 'ObjectCreated:Put',
    duplicate: false,
    result: {
      event: {},
      attempts: 1,
      ok,
      report: {
        requestId: 'r',
        ok,
        logs: logs.map((line) => JSON.stringify(line)),
        durationMs: 5,
        ...(ok ? {} : { error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'killed' } }),
      },
    },
  }) as unknown as Delivery;

describe('pageEvent', () => {
  it('shows what was written: the original and every output, as URLs on the local S3 server', () => {
    const event = pageEvent(
      1,
      delivery([
        {
          message: 'thumbnail written',
          source: { key: 'uploads/a b+c.jpg', width: 1200, height: 900, bytes: 1000 },
          outputs: [
            {
              rendition: 'thumbnail',
              format: 'jpeg',
              bucket: 'thumbs',
              key: 'uploads/a b+c-thumbnail.jpg',
              width: 100,
              height: 75,
              bytes: 900,
            },
          ],
          ms: { total: 42 },
        },
      ]),
      S3,
      'thumbs',
    );
    expect(event).toMatchObject({
      outcome: 'written',
      original: { url: `${S3}/originals/uploads/a%20b%2Bc.jpg`, width: 1200, bytes: 1000 },
      outputs: [{ rendition: 'thumbnail', url: `${S3}/thumbs/uploads/a%20b%2Bc-thumbnail.jpg`, width: 100, height: 75 }],
      ms: 42,
    });
  });

  it('shows a refusal with its error and reason, a skip with its reason, and a failed invocation with its error', () => {
    expect(
      pageEvent(2, delivery([{ message: 'thumbnail failed', errorType: 'CorruptImageError', reason: 'cut off' }]), S3, 't'),
    ).toMatchObject({ outcome: 'refused', errorType: 'CorruptImageError', reason: 'cut off', outputs: [] });
    expect(pageEvent(3, delivery([{ message: 'skipped', reason: 'duplicate' }]), S3, 't')).toMatchObject({
      outcome: 'skipped',
      reason: 'duplicate',
    });
    expect(pageEvent(4, delivery([], false), S3, 't')).toMatchObject({ outcome: 'failed', errorType: 'Runtime.OutOfMemory' });
  });
});

describe('uploadKey and objectUrl', () => {
  it('keeps only the file name a browser sends, under the upload prefix', () => {
    expect(uploadKey('', 'photo.jpg')).toBe('uploads/photo.jpg');
    expect(uploadKey('in/', 'C:\\Users\\me\\photo.jpg')).toBe('in/uploads/photo.jpg');
    expect(uploadKey('', '../../etc/passwd')).toBe('uploads/passwd');
    expect(uploadKey('', '..')).toBeUndefined();
    expect(uploadKey('', '')).toBeUndefined();
  });

  it('encodes each segment of a key, keeping its slashes', () => {
    expect(objectUrl(S3, 'b', 'a/ü ?.jpg')).toBe(`${S3}/b/a/%C3%BC%20%3F.jpg`);
  });
});
