import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { carriedOver, type Destination, destinationsOf, isOwn, overlaps, withoutOwn } from '../../../scripts/lib/bucket-notifications';

const OWN = { idPrefix: 'thumbnails-prod-thumbnail-', functionName: 'thumbnails-prod-thumbnail' };
const filter = (prefix?: string, suffix?: string) => ({
  Filter: {
    Key: {
      FilterRules: [
        ...(prefix ? [{ Name: 'prefix' as const, Value: prefix }] : []),
        ...(suffix ? [{ Name: 'suffix' as const, Value: suffix }] : []),
      ],
    },
  },
});

const CONFIGURATION: NotificationConfiguration = {
  LambdaFunctionConfigurations: [
    { Id: 'virus-scan', LambdaFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scan', Events: ['s3:ObjectCreated:*'] },
    {
      Id: 'thumbnails-prod-thumbnail-objectcreated-1',
      LambdaFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:thumbnails-prod-thumbnail',
      Events: ['s3:ObjectCreated:*'],
      ...filter('uploads/', '.jpg'),
    },
  ],
  QueueConfigurations: [
    { Id: 'audit', QueueArn: 'arn:aws:sqs:eu-west-1:111122223333:audit', Events: ['s3:ObjectRemoved:*'], ...filter('legal/') },
  ],
  TopicConfigurations: [
    { Id: 'pdf', TopicArn: 'arn:aws:sns:eu-west-1:111122223333:pdf', Events: ['s3:ObjectCreated:Put'], ...filter(undefined, '.pdf') },
  ],
  EventBridgeConfiguration: {},
};

describe('destinationsOf / isOwn', () => {
  it("reads every destination with its filters, and tells the stack's own by id or by its function", () => {
    const destinations = destinationsOf(CONFIGURATION);
    expect(destinations.map((d) => [d.kind, d.id, d.prefix, d.suffix])).toEqual([
      ['lambda_function', 'virus-scan', undefined, undefined],
      ['lambda_function', 'thumbnails-prod-thumbnail-objectcreated-1', 'uploads/', '.jpg'],
      ['queue', 'audit', 'legal/', undefined],
      ['topic', 'pdf', undefined, '.pdf'],
    ]);
    expect(destinations.map((d) => isOwn(d, OWN))).toEqual([false, true, false, false]);
    const renamed: Destination = {
      kind: 'lambda_function',
      arn: 'arn:aws:lambda:eu-west-1:1:function:thumbnails-prod-thumbnail:live',
      events: [],
    };
    expect(isOwn(renamed, OWN)).toBe(true);
  });
});

describe('carriedOver', () => {
  it("is the bucket's configuration without the stack's own entries, in the variable's shape", () => {
    expect(carriedOver(CONFIGURATION, OWN)).toEqual({
      eventbridge: true,
      lambda_function: [
        {
          id: 'virus-scan',
          lambda_function_arn: 'arn:aws:lambda:eu-west-1:111122223333:function:scan',
          events: ['s3:ObjectCreated:*'],
          filter_prefix: null,
          filter_suffix: null,
        },
      ],
      queue: [
        {
          id: 'audit',
          queue_arn: 'arn:aws:sqs:eu-west-1:111122223333:audit',
          events: ['s3:ObjectRemoved:*'],
          filter_prefix: 'legal/',
          filter_suffix: null,
        },
      ],
      topic: [
        {
          id: 'pdf',
          topic_arn: 'arn:aws:sns:eu-west-1:111122223333:pdf',
          events: ['s3:ObjectCreated:Put'],
          filter_prefix: null,
          filter_suffix: '.pdf',
        },
      ],
    });
    expect(carriedOver({}, OWN)).toEqual({ eventbridge: false, lambda_function: [], queue: [], topic: [] });
  });
});

describe('withoutOwn', () => {
  it('is what the bucket had before the stack: written back when the stack lets go', () => {
    const before = withoutOwn(CONFIGURATION, OWN);
    expect(before.LambdaFunctionConfigurations?.map((entry) => entry.Id)).toEqual(['virus-scan']);
    expect(before.QueueConfigurations).toEqual(CONFIGURATION.QueueConfigurations);
    expect(before.TopicConfigurations).toEqual(CONFIGURATION.TopicConfigurations);
    expect(before.EventBridgeConfiguration).toEqual({});
    expect(withoutOwn({ LambdaFunctionConfigurations: [CONFIGURATION.LambdaFunctionConfigurations?.[1] as never] }, OWN)).toEqual({});
  });
});

describe('overlaps', () => {
  const ours: Destination = { kind: 'lambda_function', arn: 'ours', events: ['s3:ObjectCreated:*'], prefix: 'uploads/', suffix: '.jpg' };
  const theirs = (events: string[], prefix?: string, suffix?: string): Destination => ({
    kind: 'queue',
    arn: 'theirs',
    events,
    ...(prefix ? { prefix } : {}),
    ...(suffix ? { suffix } : {}),
  });

  it.each([
    ['the same events, no filters (covers every key)', theirs(['s3:ObjectCreated:*']), true],
    ['one created event under the wildcard, a covering prefix', theirs(['s3:ObjectCreated:Put'], 'up'), true],
    ['a prefix under ours, the same suffix', theirs(['s3:ObjectCreated:*'], 'uploads/2024/', '.jpg'), true],
    ['another suffix', theirs(['s3:ObjectCreated:*'], 'uploads/', '.pdf'), false],
    ['another prefix', theirs(['s3:ObjectCreated:*'], 'legal/'), false],
    ['other events', theirs(['s3:ObjectRemoved:*']), false],
  ])('%s: %s', (_, existing, expected) => {
    expect(overlaps([existing], [ours]).length > 0).toBe(expected);
  });
});
