import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../handlers/thumbnail/config';
import { ConfigError } from '../../../handlers/thumbnail/errors';
import { thrownBy } from '../../support/errors';

const base = { SOURCE_BUCKET: 'originals', THUMBNAIL_BUCKET: 'thumbnails' };

describe('parseConfig', () => {
  it('reads the prefix it serves as it is, spaces included', () => {
    expect(parseConfig({ ...base, SOURCE_PREFIX: 'up loads/ ' }).sourcePrefix).toBe('up loads/ ');
    expect(parseConfig({ ...base, SOURCE_PREFIX: '' })).not.toHaveProperty('sourcePrefix');
  });

  it('applies defaults', () => {
    expect(parseConfig(base)).toEqual({
      sourceBucket: 'originals',
      destinationBucket: 'thumbnails',
      renditions: [{ name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 }],
      maxInputPixels: 100_000_000,
      maxInputBytes: 50 * 1024 * 1024,
      s3RequestTimeoutMs: 3_000,
      maxDecodeMs: 1_500,
      functionMemoryMB: 1024,
      inputFormats: ['jpeg'],
      jpegBackground: '#ffffff',
    });
  });

  it('reads every setting', () => {
    const config = parseConfig({
      ...base,
      RENDITIONS: JSON.stringify([
        { name: 'thumbnail', width: 100, format: 'jpeg', quality: 70 },
        { name: 'avatar', width: 256, height: 256, fit: 'cover', format: 'webp', quality: 80 },
        { name: 'box', width: 300, height: 200, format: 'avif', quality: 50 },
      ]),
      MAX_INPUT_PIXELS: '24000000',
      MAX_INPUT_BYTES: '1000',
      S3_REQUEST_TIMEOUT_MS: '2000',
      MAX_DECODE_MS: '800',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/failures',
      EXPECTED_BUCKET_OWNER: '123456789012',
    });
    expect(config).toMatchObject({
      renditions: [
        { name: 'thumbnail', width: 100, format: 'jpeg', quality: 70 },
        { name: 'avatar', width: 256, height: 256, fit: 'cover', format: 'webp', quality: 80 },
        // A box without a fit keeps the aspect ratio inside it.
        { name: 'box', width: 300, height: 200, fit: 'inside', format: 'avif', quality: 50 },
      ],
      maxInputPixels: 24_000_000,
      maxInputBytes: 1000,
      s3RequestTimeoutMs: 2000,
      maxDecodeMs: 800,
      functionMemoryMB: 2048,
      failureQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/failures',
      expectedBucketOwner: '123456789012',
    });
  });

  it.each([
    ['SOURCE_BUCKET', { THUMBNAIL_BUCKET: 't' }, /SOURCE_BUCKET: is required/],
    ['THUMBNAIL_BUCKET', { SOURCE_BUCKET: 's' }, /THUMBNAIL_BUCKET: is required/],
    ['THUMBNAIL_BUCKET', { SOURCE_BUCKET: 'same', THUMBNAIL_BUCKET: 'same' }, /THUMBNAIL_BUCKET: must differ from SOURCE_BUCKET/],
    ['RENDITIONS', { ...base, RENDITIONS: '100,400' }, /RENDITIONS: must be a JSON array/],
    ['RENDITIONS', { ...base, RENDITIONS: '[]' }, /RENDITIONS: must be a JSON array of 1 to 8/],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'thumb-nail', width: 100, format: 'jpeg', quality: 80 }]) },
      /\[0\]\.name must be lowercase letters and digits/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 0, format: 'jpeg', quality: 80 }]) },
      /\[0\]\.width must be a whole number from 1 to 4096/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 10, format: 'gif', quality: 80 }]) },
      /\[0\]\.format must be one of jpeg, webp, avif/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 10, format: 'jpeg', quality: 101 }]) },
      /\[0\]\.quality must be a whole number from 1 to 100/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 10, fit: 'cover', format: 'jpeg', quality: 80 }]) },
      /\[0\]\.fit needs a height/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 10, height: 10, fit: 'fill', format: 'jpeg', quality: 80 }]) },
      /fit must be one of cover, inside/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 2048, height: 2048, fit: 'cover', format: 'avif', quality: 50 }]) },
      /\[0\] is a 2048x2048 box: avif outputs are capped at 2000000 pixels/,
    ],
    [
      'RENDITIONS',
      { ...base, RENDITIONS: JSON.stringify([{ name: 'a', width: 10, format: 'jpeg', quality: 80, crop: true }]) },
      /unknown field\(s\): crop/,
    ],
    [
      'RENDITIONS',
      {
        ...base,
        RENDITIONS: JSON.stringify([
          { name: 'a', width: 10, format: 'jpeg', quality: 80 },
          { name: 'a', width: 20, format: 'webp', quality: 80 },
        ]),
      },
      /"a" appears twice/,
    ],
    ['MAX_INPUT_PIXELS', { ...base, MAX_INPUT_PIXELS: '-5' }, /MAX_INPUT_PIXELS: must be a whole number/],
    ['MAX_INPUT_PIXELS', { ...base, MAX_INPUT_PIXELS: '300000000' }, /MAX_INPUT_PIXELS: must be between/],
    ['EXPECTED_BUCKET_OWNER', { ...base, EXPECTED_BUCKET_OWNER: 'me' }, /EXPECTED_BUCKET_OWNER: must be a 12-digit/],
  ])('names %s when it is missing or invalid', (variable, env, message) => {
    const error = thrownBy(() => parseConfig(env));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
  });
});
