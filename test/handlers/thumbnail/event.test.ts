import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../handlers/thumbnail/errors';
import { isS3TestEvent, parseS3Event } from '../../../handlers/thumbnail/event';
import type { SourceRecord } from '../../../handlers/thumbnail/types';
import { loadEvent, s3Event } from '../../support/events';

/** The validated records of a parse, failing the test on a refused one. */
function valid(event: unknown): SourceRecord[] {
  return parseS3Event(event).records.map((item) => {
    if ('error' in item) throw item.error;
    return item.record;
  });
}

describe('parseS3Event', () => {
  it('reads the "Amazon S3 Put" test event', () => {
    expect(parseS3Event(loadEvent('s3-put.json')).ignored).toEqual([]);
    expect(valid(loadEvent('s3-put.json'))).toEqual([
      {
        kind: 'created',
        eventName: 'ObjectCreated:Put',
        bucket: 'ORIGINALS_BUCKET',
        key: 'samples/landscape.jpg',
        size: 1024,
        eTag: '0123456789abcdef0123456789abcdef',
        sequencer: '0A1B2C3D4E5F678901',
      },
    ]);
  });

  it('handles every record, decoding each key', () => {
    const event = s3Event(
      { bucket: 'b', key: 'my photo.jpg' },
      { bucket: 'b', key: 'a+b/東京.jpg', eventName: 'ObjectRemoved:Delete' },
      { bucket: 'b', key: 'c.jpg', eventName: 'ObjectCreated:CompleteMultipartUpload' },
    );
    expect(valid(event).map((record) => [record.kind, record.key])).toEqual([
      ['created', 'my photo.jpg'],
      ['removed', 'a+b/東京.jpg'],
      ['created', 'c.jpg'],
    ]);
    expect(parseS3Event(event).records[1]?.raw).toBe(event.Records[1]);
  });

  it('ignores event types it does not handle, saying which', () => {
    const { records, ignored } = parseS3Event(s3Event({ bucket: 'b', key: 'x.jpg', eventName: 'ObjectRestore:Completed' }));
    expect(records).toEqual([]);
    expect(ignored).toEqual([{ index: 0, eventName: 'ObjectRestore:Completed' }]);
  });

  it('strips quotes from an eTag', () => {
    const event = s3Event({ bucket: 'b', key: 'x.jpg', eTag: '"abc"' });
    expect(valid(event)[0]?.eTag).toBe('abc');
  });

  it.each([
    ['null', null],
    ['a string', 'event'],
    ['no Records', { records: [] }],
    ['Records not an array', { Records: {} }],
  ])('refuses %s, which is not an S3 notification, with InvalidEventError', (_, event) => {
    expect(() => parseS3Event(event)).toThrow(InvalidEventError);
  });

  const good = { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'good.jpg' } } };
  it.each([
    ['a record that is not an object', 'record', {}],
    ['a record without eventName', { s3: { bucket: { name: 'b' }, object: { key: 'k.jpg' } } }, { bucket: 'b', key: 'k.jpg' }],
    ['a record without s3', { eventName: 'ObjectCreated:Put' }, {}],
    ['a record without a key', { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }, { bucket: 'b' }],
    [
      'an empty bucket name',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: '' }, object: { key: 'k' } } },
      { bucket: '', key: 'k' },
    ],
    [
      'a negative size',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k', size: -1 } } },
      { bucket: 'b', key: 'k' },
    ],
    [
      'a non-hex sequencer',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k', sequencer: 'xyz' } } },
      { bucket: 'b', key: 'k' },
    ],
    [
      'a malformed key escape',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: '%E0%A4' } } },
      { bucket: 'b', key: '%E0%A4' },
    ],
  ])('refuses %s on its own, with what identifies it, and keeps the other records', (_, bad, identity) => {
    const { records } = parseS3Event({ Records: [good, bad, good] });
    expect(records.map((item) => ('error' in item ? 'refused' : item.record.key))).toEqual(['good.jpg', 'refused', 'good.jpg']);
    const refused = records[1];
    expect(refused && 'error' in refused ? refused.error : undefined).toBeInstanceOf(InvalidEventError);
    expect(refused).toMatchObject({ index: 1, raw: bad, ...identity });
  });
});

describe('isS3TestEvent', () => {
  it('recognises the event S3 sends when a notification is configured', () => {
    expect(isS3TestEvent({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-01-01T00:00:00Z', Bucket: 'b' })).toBe(true);
    expect(isS3TestEvent(loadEvent('s3-put.json'))).toBe(false);
  });
});
