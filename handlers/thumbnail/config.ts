/** The handler's configuration, from the environment the stack sets. The only reader of process.env. */

import {
  DEFAULTS,
  ENV,
  FITS,
  type Fit,
  FORMATS,
  INPUT_FORMAT_NAMES,
  type InputFormat,
  LIMITS,
  OUTPUT_FORMATS,
  type OutputFormat,
  RENDITION_NAME,
  type Rendition,
} from './constants';
import { ConfigError } from './errors';
import { isObject } from './json';
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

function wholeIn(value: unknown, at: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(ENV.renditions, `${at} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

/** One rendition of RENDITIONS, checked field by field. */
function rendition(raw: unknown, index: number): Rendition {
  const at = `[${index}]`;
  if (!isObject(raw)) throw new ConfigError(ENV.renditions, `${at} must be an object`);
  const unknown = Object.keys(raw).filter((key) => !['name', 'width', 'height', 'fit', 'format', 'quality'].includes(key));
  if (unknown.length > 0) throw new ConfigError(ENV.renditions, `${at} has unknown field(s): ${unknown.join(', ')}`);
  const { name, format, fit } = raw;
  if (typeof name !== 'string' || !RENDITION_NAME.test(name))
    throw new ConfigError(
      ENV.renditions,
      `${at}.name must be lowercase letters and digits starting with a letter, got ${JSON.stringify(name)}`,
    );
  if (typeof format !== 'string' || !(OUTPUT_FORMATS as string[]).includes(format))
    throw new ConfigError(ENV.renditions, `${at}.format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const width = wholeIn(raw['width'], `${at}.width`, 1, LIMITS.maxWidth);
  const quality = wholeIn(raw['quality'], `${at}.quality`, LIMITS.minQuality, LIMITS.maxQuality);
  if (raw['height'] === undefined) {
    if (fit !== undefined) throw new ConfigError(ENV.renditions, `${at}.fit needs a height`);
    return { name, width, format: format as OutputFormat, quality };
  }
  const height = wholeIn(raw['height'], `${at}.height`, 1, LIMITS.maxHeight);
  if (fit !== undefined && !(FITS as readonly unknown[]).includes(fit))
    throw new ConfigError(ENV.renditions, `${at}.fit must be one of ${FITS.join(', ')}, got ${JSON.stringify(fit)}`);
  const maxPixels = FORMATS[format as OutputFormat].maxPixels;
  if (width * height > maxPixels)
    throw new ConfigError(ENV.renditions, `${at} is a ${width}x${height} box: ${format} outputs are capped at ${maxPixels} pixels`);
  return { name, width, height, fit: (fit as Fit | undefined) ?? 'inside', format: format as OutputFormat, quality };
}

/** RENDITIONS: a JSON array of renditions with distinct names; unset means the default thumbnail. */
function renditions(env: Env): Rendition[] {
  const raw = env[ENV.renditions]?.trim();
  if (raw === undefined || raw === '') return DEFAULTS.renditions.map((entry) => ({ ...entry }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(ENV.renditions, `must be a JSON array, e.g. '[{"name":"thumbnail","width":100,"format":"jpeg","quality":80}]'`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > LIMITS.maxRenditions)
    throw new ConfigError(ENV.renditions, `must be a JSON array of 1 to ${LIMITS.maxRenditions} renditions`);
  const list = parsed.map(rendition);
  const names = list.map((entry) => entry.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new ConfigError(ENV.renditions, `rendition names must be distinct: "${repeated}" appears twice`);
  return list;
}

/** INPUT_FORMATS: distinct names of input formats, comma-separated; unset means JPEG only. */
function inputFormats(env: Env): InputFormat[] {
  const raw = env[ENV.inputFormats]?.trim();
  if (!raw) return [...DEFAULTS.inputFormats];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(INPUT_FORMAT_NAMES as string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new ConfigError(ENV.inputFormats, `must be a comma-separated list of ${INPUT_FORMAT_NAMES.join(', ')}, got "${raw}"`);
  if (new Set(names).size !== names.length) throw new ConfigError(ENV.inputFormats, `names a format twice: "${raw}"`);
  return names as InputFormat[];
}

/** JPEG_BACKGROUND: `#rrggbb`; unset means white. */
function jpegBackground(env: Env): string {
  const raw = env[ENV.jpegBackground]?.trim();
  if (!raw) return DEFAULTS.jpegBackground;
  if (!/^#[0-9a-fA-F]{6}$/.test(raw)) throw new ConfigError(ENV.jpegBackground, `must be a colour as #rrggbb, got "${raw}"`);
  return raw.toLowerCase();
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
  // Not trimmed: a space is as much part of a key prefix as any other character.
  const sourcePrefix = env[ENV.sourcePrefix];
  const failureQueueUrl = env[ENV.failureQueueUrl]?.trim();
  const expectedBucketOwner = env[ENV.expectedBucketOwner]?.trim();
  if (expectedBucketOwner && !/^[0-9]{12}$/.test(expectedBucketOwner))
    throw new ConfigError(ENV.expectedBucketOwner, `must be a 12-digit AWS account id, got "${expectedBucketOwner}"`);
  return {
    sourceBucket,
    ...(sourcePrefix ? { sourcePrefix } : {}),
    destinationBucket,
    renditions: renditions(env),
    inputFormats: inputFormats(env),
    jpegBackground: jpegBackground(env),
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
