import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../handlers/thumbnail/errors';
import { eventObjectOf, parseObjectEvent } from '../../../handlers/thumbnail/event-source';
import { isEventBridgeS3Event, parseEventBridgeEvent } from '../../../handlers/thumbnail/eventbridge';
import { eventBridgeS3Event, loadEvent, s3Event } from '../../support/events';

describe('parseEventBridgeEvent', () => {
  it("reads AWS's documented Object Created example into the record a notification would give", () => {
    const event = loadEvent('eventbridge-object-created.json');
    expect(isEventBridgeS3Event(event)).toBe(true);
    const parsed = parseEventBridgeEvent(event);
    expect(parsed.ignored).toEqual([]);
    expect(parsed.records).toEqual([
      {
        index: 0,
        raw: event,
        replay: event,
        record: {
          kind: 'created',
          eventName: 'Object Created',
          bucket: 'ORIGINALS_BUCKET',
          key: 'samples/landscape.jpg',
          size: 1024,
          eTag: '0123456789abcdef0123456789abcdef',
          sequencer: '617f08299329d189',
        },
      },
    ]);
  });

  it('reads a delete, whichever its deletion type, as a removed record without a size', () => {
    for (const deletion of ['Permanently Deleted', 'Delete Marker Created']) {
      const [item] = parseEventBridgeEvent(
        eventBridgeS3Event({ bucket: 'b', key: 'a/x.jpg', detailType: 'Object Deleted', deletionType: deletion }),
      ).records;
      expect(item && 'record' in item ? item.record : item).toMatchObject({
        kind: 'removed',
        key: 'a/x.jpg',
        eventName: `Object Deleted (${deletion})`,
      });
    }
  });

  it('decodes the key as S3 encodes it into events (+ is a space, %2B a plus)', () => {
    const [item] = parseEventBridgeEvent(eventBridgeS3Event({ bucket: 'b', key: 'up loads/a+b/東京 1.JPG' })).records;
    expect(item && 'record' in item ? item.record.key : undefined).toBe('up loads/a+b/東京 1.JPG');
  });

  it('ignores the S3 events the function does not handle, naming them', () => {
    const parsed = parseEventBridgeEvent(eventBridgeS3Event({ bucket: 'b', key: 'x.jpg', detailType: 'Object Restore Completed' }));
    expect(parsed).toEqual({ records: [], ignored: [{ index: 0, eventName: 'Object Restore Completed' }] });
  });

  it.each([
    ['no detail', (event: Record<string, unknown>) => delete event['detail'], /detail must hold bucket and object/],
    [
      'no bucket name',
      (event: Record<string, unknown>) => delete (event['detail'] as { bucket: Record<string, unknown> }).bucket['name'],
      /detail\.bucket\.name/,
    ],
    [
      'a key that is not URL encoding',
      (event: Record<string, unknown>) => ((event['detail'] as { object: Record<string, unknown> }).object['key'] = '%E0%A4%A'),
      /not valid URL encoding/,
    ],
    [
      'a sequencer that is not hexadecimal',
      (event: Record<string, unknown>) => ((event['detail'] as { object: Record<string, unknown> }).object['sequencer'] = 'xyz'),
      /detail\.object\.sequencer must be hexadecimal/,
    ],
  ])('returns a malformed event (%s) with its error and what identifies it, for the failure record', (_, spoil, message) => {
    const event = eventBridgeS3Event({ bucket: 'b', key: 'x.jpg' }) as unknown as Record<string, unknown>;
    spoil(event);
    const [item] = parseEventBridgeEvent(event).records;
    expect(item && 'error' in item ? item.error : undefined).toBeInstanceOf(InvalidEventError);
    expect(item && 'error' in item ? item.error.message : '').toMatch(message);
    expect(item?.replay).toBe(event);
  });
});

describe('parseObjectEvent', () => {
  it('reads both ways an object event arrives into the same record', () => {
    const fromNotification = parseObjectEvent(s3Event({ bucket: 'b', key: 'my photo.jpg', eTag: 'e', sequencer: '0A', size: 3 }));
    const fromEventBridge = parseObjectEvent(eventBridgeS3Event({ bucket: 'b', key: 'my photo.jpg', eTag: 'e', sequencer: '0A', size: 3 }));
    const record = (parsed: typeof fromNotification) => {
      const [item] = parsed.records;
      return item && 'record' in item ? { ...item.record, eventName: undefined } : undefined;
    };
    expect(record(fromEventBridge)).toEqual(record(fromNotification));
    // A failure replays what came in: the notification narrowed to its record, the EventBridge event whole.
    expect(fromNotification.records[0]?.replay).toEqual({ Records: [expect.objectContaining({ eventName: 'ObjectCreated:Put' })] });
    expect(fromEventBridge.records[0]?.replay).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created' });
  });
});

describe('eventObjectOf', () => {
  it('names the object of either shape, key still encoded, for listings of recorded failures', () => {
    expect(eventObjectOf(s3Event({ bucket: 'b', key: 'a b.jpg', sequencer: '0A' }))).toEqual({
      bucket: 'b',
      key: 'a+b.jpg',
      sequencer: '0A',
    });
    expect(eventObjectOf(eventBridgeS3Event({ bucket: 'b', key: 'a b.jpg', sequencer: '0B', eTag: 'e' }))).toEqual({
      bucket: 'b',
      key: 'a+b.jpg',
      sequencer: '0B',
      eTag: 'e',
    });
    expect(eventObjectOf({ nothing: true })).toBeUndefined();
  });
});
