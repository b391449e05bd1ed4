import { describe, expect, it } from 'vitest';
import { encodeEventKey } from '../../../handlers/thumbnail/constants';
import { uploadEventPattern } from '../../../infra/event-pattern';
import { InvalidPatternError, matchesPattern, wildcardMatches } from '../../../scripts/local/event-pattern';

/** AWS's documented examples (EventBridge user guide: event patterns, content filtering, null values, arrays). */
describe('matchesPattern, on the examples of the EventBridge user guide', () => {
  const ec2 = {
    version: '0',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    time: '2017-10-02T18:43:48Z',
    resources: [
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    ],
    detail: {
      state: 'running',
      'c-count': 5,
      'd-count': 9,
      'x-limit': 301.8,
      sourceIPAddress: '10.0.0.17',
      eventVersion: '',
      responseElements: null,
    },
  };

  it.each([
    ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
    ['prefix, another day', { time: [{ prefix: '2017-10-03' }] }, false],
    ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but the value', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
    ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, true],
    ['anything-but numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, true],
    ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
    [
      'numeric range',
      {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      },
      true,
    ],
    ['numeric out of range', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
    ['cidr', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr elsewhere', { detail: { sourceIPAddress: [{ cidr: '10.0.1.0/24' }] } }, false],
    ['exists false', { detail: { 'e-count': [{ exists: false }] } }, true],
    ['exists true', { detail: { 'c-count': [{ exists: true }] } }, true],
    ['exists false, present', { detail: { 'c-count': [{ exists: false }] } }, false],
    ['empty string', { detail: { eventVersion: [''] } }, true],
    ['null', { detail: { responseElements: [null] } }, true],
    ['empty string is not null', { detail: { responseElements: [''] } }, false],
    [
      'array intersection',
      { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] },
      true,
    ],
    ['array, no intersection', { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, false],
    [
      'complex',
      {
        time: [{ prefix: '2017-10-02' }],
        detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      },
      true,
    ],
    ['$or', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['running'] } }] }, true],
    ['$or, neither', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['stopped'] } }] }, false],
  ])('%s', (_, pattern, expected) => {
    expect(matchesPattern(pattern, ec2)).toBe(expected);
  });

  it('treats exists on an object as absent: exists matches leaves only', () => {
    const event = { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } };
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
  });
});

describe('matchesPattern, case and wildcards', () => {
  it.each([
    [{ suffix: { 'equals-ignore-case': '.jpg' } }, 'DSC_0001.JPG', true],
    [{ suffix: { 'equals-ignore-case': '.jpg' } }, 'photo.jpeg', false],
    [{ prefix: { 'equals-ignore-case': 'eventb' } }, 'EventBridge', true],
    [{ 'equals-ignore-case': 'alice' }, 'ALICE', true],
    [{ suffix: '.png' }, 'a.PNG', false],
    [{ 'anything-but': { suffix: '.png' } }, 'a.jpg', true],
    [{ 'anything-but': { 'equals-ignore-case': ['initializing'] } }, 'INITIALIZING', false],
    [{ 'anything-but': { wildcard: '*/lib/*' } }, 'src/lib/a.js', false],
  ])('%j on %s: %s', (matcher, value, expected) => {
    expect(matchesPattern({ name: [matcher] }, { name: value })).toBe(expected);
  });

  it.each([
    ['dir/*.png', 'dir/a/b.png', true],
    ['dir/*.png', 'other/a.png', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'aXb', false],
    ['*', '', true],
  ])('wildcard %s on %s: %s', (pattern, value, expected) => {
    expect(wildcardMatches(pattern, value)).toBe(expected);
  });

  it('refuses what EventBridge refuses, instead of guessing', () => {
    expect(() => matchesPattern({ a: [{ nope: 1 }] }, { a: 1 })).toThrow(InvalidPatternError);
    expect(() => matchesPattern({ a: 'x' }, { a: 'x' })).toThrow(InvalidPatternError);
    expect(() => wildcardMatches('a**b', 'ab')).toThrow(InvalidPatternError);
  });
});

describe("matchesPattern, on the stack's own upload pattern", () => {
  const event = (key: string, detailType = 'Object Created', bucket = 'acme-photo-uploads') => ({
    source: 'aws.s3',
    'detail-type': detailType,
    detail: { bucket: { name: bucket }, object: { key: encodeEventKey(key) } },
  });
  const withPrefix = uploadEventPattern({
    bucketName: 'acme-photo-uploads',
    prefix: 'up loads/',
    suffixes: ['.jpg', '.jpeg'],
    onDelete: true,
  });
  const withoutPrefix = uploadEventPattern({ bucketName: 'acme-photo-uploads', suffixes: ['.jpg'], onDelete: false });

  it.each([
    [withPrefix, 'up loads/DSC_0001.JPG', 'Object Created', true],
    [withPrefix, 'up loads/a/b.JpEg', 'Object Deleted', true],
    [withPrefix, 'elsewhere/DSC_0001.JPG', 'Object Created', false],
    [withPrefix, 'up loads/notes.txt', 'Object Created', false],
    [withPrefix, 'up loads/x.jpg', 'Object Restore Completed', false],
    [withoutPrefix, 'any/where/IMG.JPG', 'Object Created', true],
    [withoutPrefix, 'any/where/IMG.JPG', 'Object Deleted', false],
    [withoutPrefix, 'IMG.jpeg', 'Object Created', false],
  ])('%#: %s (%s) -> %s', (pattern, key, detailType, expected) => {
    expect(matchesPattern(pattern, event(key, detailType))).toBe(expected);
  });

  it("selects only the adopted bucket's events", () => {
    expect(matchesPattern(withoutPrefix, event('a.jpg', 'Object Created', 'someone-else'))).toBe(false);
  });
});
