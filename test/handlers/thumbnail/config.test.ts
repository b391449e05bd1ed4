import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../handlers/thumbnail/config';
import { ConfigError } from '../../../handlers/thumbnail/errors';
import { thrownBy } from '../../support/errors';

const base = { SOURCE_BUCKET: 'originals', THUMBNAIL_BUCKET: 'thumbnails' };

describe('parseConfig', () => {
  it('applies defaults', () => {
    expect(parseConfig(base)).toEqual({
      sourceBucket: 'originals',
      destinationBucket: 'thumbnails',
      widths: [100],
      jpegQuality: 80,
      maxInputPixels: 100_000_000,
      maxInputBytes: 50 * 1024 * 1024,
      s3RequestTimeoutMs: 3_000,
      maxDecodeMs: 1_500,
      functionMemoryMB: 1024,
    });
  });

  it('reads every setting', () => {
    const config = parseConfig({
      ...base,
      THUMBNAIL_WIDTHS: '100, 400,1200',
      JPEG_QUALITY: '70',
      MAX_INPUT_PIXELS: '24000000',
      MAX_INPUT_BYTES: '1000',
      S3_REQUEST_TIMEOUT_MS: '2000',
      MAX_DECODE_MS: '800',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/failures',
      EXPECTED_BUCKET_OWNER: '123456789012',
    });
    expect(config).toMatchObject({
      widths: [100, 400, 1200],
      jpegQuality: 70,
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
    ['THUMBNAIL_WIDTHS', { ...base, THUMBNAIL_WIDTHS: 'wide' }, /THUMBNAIL_WIDTHS: "wide" is not a whole number/],
    ['THUMBNAIL_WIDTHS', { ...base, THUMBNAIL_WIDTHS: '0' }, /THUMBNAIL_WIDTHS: each width must be/],
    ['THUMBNAIL_WIDTHS', { ...base, THUMBNAIL_WIDTHS: '100,100' }, /THUMBNAIL_WIDTHS: widths must be distinct/],
    ['THUMBNAIL_WIDTHS', { ...base, THUMBNAIL_WIDTHS: '1,2,3,4,5,6' }, /THUMBNAIL_WIDTHS: at most 5/],
    ['JPEG_QUALITY', { ...base, JPEG_QUALITY: '101' }, /JPEG_QUALITY: must be between 1 and 100/],
    ['JPEG_QUALITY', { ...base, JPEG_QUALITY: '8.5' }, /JPEG_QUALITY: must be a whole number/],
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
