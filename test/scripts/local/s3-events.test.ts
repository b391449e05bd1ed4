import { describe, expect, it } from 'vitest';
import { parseS3Event } from '../../../handlers/thumbnail/event';
import { compareSequencers } from '../../../handlers/thumbnail/plan';
import { ruleMatches, SequencerClock, s3EventRecord } from '../../../scripts/local/s3-events';

const rule = (overrides: Record<string, unknown> = {}) => ({
  bucketAddress: 'aws_s3_bucket.b',
  functionAddress: 'aws_lambda_function.f',
  events: ['s3:ObjectCreated:*'],
  filterSuffix: '.jpg',
  ...overrides,
});

describe('ruleMatches', () => {
  it.each([
    ['ObjectCreated:Put', 'a/b.jpg', rule(), true],
    ['ObjectCreated:CompleteMultipartUpload', 'b.jpg', rule(), true],
    ['ObjectCreated:Put', 'b.JPG', rule(), false],
    ['ObjectCreated:Put', 'b.png', rule(), false],
    ['ObjectRemoved:Delete', 'b.jpg', rule(), false],
    ['ObjectRemoved:Delete', 'b.jpg', rule({ events: ['s3:ObjectRemoved:*'] }), true],
    ['ObjectCreated:Copy', 'b.jpg', rule({ events: ['s3:ObjectCreated:Put'] }), false],
    ['ObjectCreated:Put', 'b.jpg', rule({ events: ['s3:ObjectCreated:Put'] }), true],
    ['ObjectCreated:Put', 'in/b.jpg', rule({ filterPrefix: 'in/' }), true],
    ['ObjectCreated:Put', 'out/b.jpg', rule({ filterPrefix: 'in/' }), false],
  ])('%s %s -> %s', (eventName, key, candidate, expected) => {
    expect(ruleMatches(candidate, eventName, key)).toBe(expected);
  });
});

describe('SequencerClock', () => {
  it('always increases, even when the clock stands still or goes back', () => {
    const times = [5n, 5n, 4n, 9n];
    const clock = new SequencerClock(() => times.shift() ?? 9n);
    const values = [clock.next(), clock.next(), clock.next(), clock.next()];
    for (let i = 1; i < values.length; i++) expect(compareSequencers(values[i]!, values[i - 1]!)).toBeGreaterThan(0);
    expect(values[0]).toMatch(/^[0-9A-F]{18}$/);
  });
});

describe('s3EventRecord', () => {
  it('encodes the key as S3 does, so the handler decodes it back exactly', () => {
    const key = 'photos/my holiday+beach/写真 (1).jpg';
    const record = s3EventRecord(
      { eventName: 'ObjectCreated:Put', bucket: 'b', key, size: 10, eTag: 'abc', sequencer: '0A' },
      { region: 'eu-west-1', time: new Date(0), requestId: 'R', configurationId: 'c' },
    );
    expect(record.s3.object.key).toBe('photos/my+holiday%2Bbeach/%E5%86%99%E7%9C%9F+%281%29.jpg');
    const [parsed] = parseS3Event({ Records: [record] }).records;
    expect(parsed && 'record' in parsed ? parsed.record : parsed).toMatchObject({
      key,
      bucket: 'b',
      eTag: 'abc',
      sequencer: '0A',
      size: 10,
    });
  });
});
