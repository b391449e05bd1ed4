import { describe, expect, it } from 'vitest';
import { adoptedBucketOf, ConfigValidationError, DEFAULT_CONFIG, parseStackConfig, triggerFilterOf } from '../../infra/config';
import { mergeConfig } from '../../infra/environments';
import { thrownBy } from '../support/errors';

const valid = (overrides: Record<string, unknown> = {}) => mergeConfig(DEFAULT_CONFIG as unknown as Record<string, unknown>, overrides);

describe('parseStackConfig, every error at once', () => {
  it("says a rendition's fit without a height beside its other errors, not after they are fixed", () => {
    const message = (
      thrownBy(() =>
        parseStackConfig(valid({ thumbnail: { renditions: [{ name: 'A', width: 0, fit: 'cover', format: 'jpeg', quality: 80 }] } })),
      ) as Error
    ).message;
    expect(message).toMatch(/thumbnail\.renditions\.0\.name/);
    expect(message).toMatch(/thumbnail\.renditions\.0\.width/);
    expect(message).toMatch(/fit needs a height/);
  });
});

describe('parseStackConfig', () => {
  it('accepts the defaults: 100 px, nodejs24.x-sized memory and timeout, .jpg trigger', () => {
    const config = parseStackConfig(valid());
    expect(config.thumbnail).toMatchObject({
      renditions: [{ name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 }],
      memoryMB: 1024,
      timeoutSeconds: 30,
      triggerSuffixes: ['.jpg'],
    });
    expect(config.region).toBe('ap-northeast-1');
  });

  it.each([
    ['region', { region: 'moon-1' }, /region: must be an AWS region/],
    ['namePrefix', { namePrefix: 'Has_Capitals' }, /namePrefix: lowercase letters/],
    ['renditions', { thumbnail: { renditions: [] } }, /thumbnail\.renditions/],
    [
      'renditions',
      {
        thumbnail: {
          renditions: [
            { name: 'a', width: 1, format: 'jpeg', quality: 80 },
            { name: 'a', width: 2, format: 'webp', quality: 80 },
          ],
        },
      },
      /thumbnail\.renditions: rendition names must be distinct/,
    ],
    [
      'renditions',
      { thumbnail: { renditions: [{ name: 'A-1', width: 1, format: 'jpeg', quality: 80 }] } },
      /thumbnail\.renditions\.0\.name/,
    ],
    [
      'renditions',
      { thumbnail: { renditions: [{ name: 'a', width: 0, format: 'jpeg', quality: 80 }] } },
      /thumbnail\.renditions\.0\.width/,
    ],
    [
      'renditions',
      { thumbnail: { renditions: [{ name: 'a', width: 10, fit: 'cover', format: 'jpeg', quality: 80 }] } },
      /fit needs a height/,
    ],
    [
      'renditions',
      { thumbnail: { renditions: [{ name: 'a', width: 2048, height: 2048, fit: 'cover', format: 'avif', quality: 50 }] } },
      /thumbnail\.renditions\.0: the box holds more pixels than the format allows \(AVIF: 2,000,000/,
    ],
    ['widths (before renditions)', { thumbnail: { widths: [100, 400] } }, /thumbnail\.widths: replaced by thumbnail\.renditions/],
    [
      'jpegQuality (before renditions)',
      { thumbnail: { jpegQuality: 90 } },
      /thumbnail\.jpegQuality: replaced by each rendition's "quality"/,
    ],
    ['a misspelt thumbnail setting', { thumbnail: { rendition: [] } }, /thumbnail: Unrecognized key: "rendition"/],
    [
      'timeout for the AVIF renditions',
      {
        thumbnail: {
          renditions: [
            { name: 'a', width: 1600, format: 'avif', quality: 50 },
            { name: 'b', width: 1400, height: 1400, format: 'avif', quality: 50 },
            { name: 'c', width: 1200, format: 'avif', quality: 50 },
          ],
        },
      },
      /thumbnail\.timeoutSeconds: 30 s is too short for these renditions: the largest accepted upload needs up to 36 s/,
    ],
    ['memory', { thumbnail: { memoryMB: 64 } }, /thumbnail\.memoryMB/],
    ['timeout', { thumbnail: { timeoutSeconds: 901 } }, /thumbnail\.timeoutSeconds/],
    ['log retention', { logRetentionDays: 10 }, /logRetentionDays/],
    ['retries', { asyncInvoke: { maximumRetryAttempts: 3 } }, /asyncInvoke\.maximumRetryAttempts/],
    ['suffix', { thumbnail: { triggerSuffixes: ['jpg'] } }, /triggerSuffixes\.0: must be a file extension/],
    ['invoker', { invokerPrincipals: ['alice'] }, /invokerPrincipals\.0: must be an IAM role/],
    ['unknown key', { regoin: 'eu-west-1' }, /regoin|Unrecognized key/],
    ['input format', { thumbnail: { inputFormats: ['jpeg', 'heic'] } }, /thumbnail\.inputFormats\.1/],
    ['input formats twice', { thumbnail: { inputFormats: ['jpeg', 'jpeg'] } }, /thumbnail\.inputFormats: formats must be distinct/],
    [
      'suffix of a format not enabled',
      { thumbnail: { triggerSuffixes: ['.jpg', '.png'] } },
      /thumbnail\.triggerSuffixes\.1: "\.png" is PNG, which thumbnail\.inputFormats does not enable: add "png" to it/,
    ],
    [
      'HEIC suffix',
      { thumbnail: { inputFormats: ['jpeg', 'avif'], triggerSuffixes: ['.jpg', '.HEIC'] } },
      /triggerSuffixes\.1: "\.HEIC" is HEIC, which cannot be decoded here/,
    ],
    [
      'suffix of no input format',
      { thumbnail: { triggerSuffixes: ['.bmp'] } },
      /triggerSuffixes\.0: "\.bmp" is not the extension of an input format \(jpeg: \.jpg/,
    ],
    ['JPEG background', { thumbnail: { jpegBackground: 'white' } }, /thumbnail\.jpegBackground: must be a colour/],
    ['adopted bucket name', { originals: { existingBucket: 'Acme_Uploads' } }, /originals\.existingBucket: must be an S3 bucket name/],
    [
      'adopted bucket name (an IP)',
      { originals: { existingBucket: '192.168.1.1' } },
      /originals\.existingBucket: must be an S3 bucket name/,
    ],
    [
      'delivery without an adopted bucket',
      { originals: { delivery: 'eventbridge' } },
      /originals\.delivery: applies only to an adopted bucket/,
    ],
    ['delivery', { originals: { existingBucket: 'acme', delivery: 'sqs' } }, /originals\.delivery/],
    [
      'KMS key without an adopted bucket',
      { originals: { kmsKeyArn: 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' } },
      /originals\.kmsKeyArn: applies only to an adopted bucket/,
    ],
    [
      'KMS key given as an alias',
      { originals: { existingBucket: 'acme', kmsKeyArn: 'arn:aws:kms:ap-northeast-1:111122223333:alias/uploads' } },
      /originals\.kmsKeyArn: must be a KMS key ARN/,
    ],
    [
      'KMS key of another region',
      { originals: { existingBucket: 'acme', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' } },
      /originals\.kmsKeyArn: the key is in eu-west-1, but the stack .* is in ap-northeast-1/,
    ],
    [
      'prefix starting with a slash',
      { originals: { existingBucket: 'acme', prefix: '/uploads/' } },
      /originals\.prefix: S3 keys do not start with "\/"/,
    ],
    [
      'versioning of an adopted bucket',
      { originals: { existingBucket: 'acme' }, originalsVersioning: true },
      /originalsVersioning: turns on versioning of a bucket the stack creates/,
    ],
    [
      'suffixes that make the EventBridge pattern too long',
      {
        originals: { existingBucket: 'acme', prefix: `${'deep/'.repeat(20)}` },
        thumbnail: { triggerSuffixes: ['.jpeg', '.jpg', '.webp', '.avif', '.png', '.gif', '.heic'] },
      },
      /thumbnail\.triggerSuffixes: with the prefix, each suffix is matched in every spelling of its case.*over its 4096/,
    ],
  ])('refuses a bad %s, naming the setting', (_, overrides, message) => {
    const error = thrownBy(() => parseStackConfig(valid(overrides), 'environments.json: environment "dev"'));
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(/^environments\.json: environment "dev":/);
    expect((error as Error).message).toMatch(message);
  });

  it('adopts an existing bucket: EventBridge delivery unless notifications are asked for', () => {
    const config = parseStackConfig(valid({ originals: { existingBucket: 'acme-photo-uploads', prefix: 'uploads/' } }));
    expect(adoptedBucketOf(config)).toEqual({ name: 'acme-photo-uploads', delivery: 'eventbridge', prefix: 'uploads/' });
    expect(triggerFilterOf(config)).toEqual({ suffixes: ['.jpg'], ignoreCase: true, prefix: 'uploads/' });
    expect(adoptedBucketOf(parseStackConfig(valid()))).toBeUndefined();
    expect(triggerFilterOf(parseStackConfig(valid()))).toEqual({ suffixes: ['.jpg'], ignoreCase: false });
    const notified = parseStackConfig(valid({ originals: { existingBucket: 'acme', delivery: 'notification' } }));
    expect(triggerFilterOf(notified).ignoreCase).toBe(false);
  });

  it('takes every input format, with its suffixes in any case', () => {
    const config = parseStackConfig(
      valid({
        thumbnail: {
          inputFormats: ['jpeg', 'png', 'webp', 'gif', 'avif'],
          triggerSuffixes: ['.JPG', '.jpeg', '.png', '.webp', '.gif', '.avif'],
        },
      }),
    );
    expect(config.thumbnail.inputFormats).toEqual(['jpeg', 'png', 'webp', 'gif', 'avif']);
    expect(parseStackConfig(valid()).thumbnail).toMatchObject({ inputFormats: ['jpeg'], jpegBackground: '#ffffff' });
  });

  it('lists every problem at once', () => {
    const error = thrownBy(() => parseStackConfig(valid({ region: 'x', logRetentionDays: 2 })));
    expect((error as Error).message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(2);
  });
});
