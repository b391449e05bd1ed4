/** The handler's configuration, from the environment the stack sets. The only reader of process.env. */

import { DEFAULTS, ENV, LIMITS } from './constants';
import { ConfigError } from './errors';
import type { ThumbnailConfig } from './types';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function widths(env: Env): number[] {
  const raw = env[ENV.widths]?.trim();
  if (raw === undefined || raw === '') return [...DEFAULTS.widths];
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length > LIMITS.maxWidths) throw new ConfigError(ENV.widths, `at most ${LIMITS.maxWidths} widths, got ${parts.length}`);
  const values = parts.map((part) => {
    if (!/^[0-9]+$/.test(part)) throw new ConfigError(ENV.widths, `"${part}" is not a whole number (use e.g. "100" or "100,400")`);
    const value = Number(part);
    if (value < 1 || value > LIMITS.maxWidth) throw new ConfigError(ENV.widths, `each width must be 1 to ${LIMITS.maxWidth}, got ${value}`);
    return value;
  });
  if (new Set(values).size !== values.length) throw new ConfigError(ENV.widths, `widths must be distinct, got "${raw}"`);
  return values;
}

/** Build the typed configuration from an environment, or fail with a message naming the variable. */
export function parseConfig(env: Env): ThumbnailConfig {
  const sourceBucket = required(env, ENV.sourceBucket);
  const destinationBucket = required(env, ENV.destinationBucket);
  if (sourceBucket === destinationBucket)
    throw new ConfigError(
      ENV.destinationBucket,
      `must differ from ${ENV.sourceBucket} ("${sourceBucket}"): writing thumbnails into the trigger bucket would invoke the function forever`,
    );
  const failureQueueUrl = env[ENV.failureQueueUrl]?.trim();
  const expectedBucketOwner = env[ENV.expectedBucketOwner]?.trim();
  if (expectedBucketOwner && !/^[0-9]{12}$/.test(expectedBucketOwner))
    throw new ConfigError(ENV.expectedBucketOwner, `must be a 12-digit AWS account id, got "${expectedBucketOwner}"`);
  return {
    sourceBucket,
    destinationBucket,
    widths: widths(env),
    jpegQuality: integer(env, ENV.jpegQuality, DEFAULTS.jpegQuality, LIMITS.minJpegQuality, LIMITS.maxJpegQuality),
    maxInputPixels: integer(env, ENV.maxInputPixels, DEFAULTS.maxInputPixels, 1, LIMITS.maxInputPixels),
    maxInputBytes: integer(env, ENV.maxInputBytes, DEFAULTS.maxInputBytes, 1, Number.MAX_SAFE_INTEGER),
    s3RequestTimeoutMs: integer(
      env,
      ENV.s3RequestTimeoutMs,
      DEFAULTS.s3RequestTimeoutMs,
      LIMITS.minS3RequestTimeoutMs,
      LIMITS.maxS3RequestTimeoutMs,
    ),
    maxDecodeMs: integer(env, ENV.maxDecodeMs, DEFAULTS.maxDecodeMs, 1, LIMITS.maxDecodeMs),
    functionMemoryMB: integer(env, ENV.functionMemoryMB, DEFAULTS.functionMemoryMB, LIMITS.minFunctionMemoryMB, LIMITS.maxFunctionMemoryMB),
    ...(failureQueueUrl ? { failureQueueUrl } : {}),
    ...(expectedBucketOwner ? { expectedBucketOwner } : {}),
  };
}

/** The configuration of this process, read once at init. */
export function loadConfig(): ThumbnailConfig {
  return parseConfig(process.env);
}
