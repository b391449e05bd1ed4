import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../handlers/thumbnail/errors';
import { isS3TestEvent, parseS3Event } from '../../../handlers/thumbnail/event';
import { loadEvent, s3Event } from '../../support/events';

describe('parseS3Event', () => {
  it('reads the "Amazon S3 Put" test event', () => {
    const { records, ignored } = parseS3Event(loadEvent('s3-put.json'));
    expect(ignored).toEqual([]);
    expect(records.map((r) => r.record)).toEqual([
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
    const { records } = parseS3Event(event);
    expect(records.map(({ record }) => [record.kind, record.key])).toEqual([
      ['created', 'my photo.jpg'],
      ['removed', 'a+b/東京.jpg'],
      ['created', 'c.jpg'],
    ]);
    expect(records[1]?.raw).toBe(event.Records[1]);
  });

  it('ignores event types it does not handle, saying which', () => {
    const { records, ignored } = parseS3Event(s3Event({ bucket: 'b', key: 'x.jpg', eventName: 'ObjectRestore:Completed' }));
    expect(records).toEqual([]);
    expect(ignored).toEqual([{ index: 0, eventName: 'ObjectRestore:Completed' }]);
  });

  it('strips quotes from an eTag', () => {
    const event = s3Event({ bucket: 'b', key: 'x.jpg', eTag: '"abc"' });
    expect(parseS3Event(event).records[0]?.record.eTag).toBe('abc');
  });

  it.each([
    ['null', null],
    ['a string', 'event'],
    ['no Records', { records: [] }],
    ['Records not an array', { Records: {} }],
    ['a record without s3', { Records: [{ eventName: 'ObjectCreated:Put' }] }],
    ['a record without a key', { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }] }],
    ['an empty bucket name', { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: '' }, object: { key: 'k' } } }] }],
    ['a negative size', { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k', size: -1 } } }] }],
    ['a non-hex sequencer', { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k', sequencer: 'xyz' } } }] }],
    ['a malformed key escape', { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: '%E0%A4' } } }] }],
  ])('refuses %s with InvalidEventError', (_, event) => {
    expect(() => parseS3Event(event)).toThrow(InvalidEventError);
  });
});

describe('isS3TestEvent', () => {
  it('recognises the event S3 sends when a notification is configured', () => {
    expect(isS3TestEvent({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-01-01T00:00:00Z', Bucket: 'b' })).toBe(true);
    expect(isS3TestEvent(loadEvent('s3-put.json'))).toBe(false);
  });
});
