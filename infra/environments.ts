/**
 * Deployment environments: built-in dev, prod and localstack, plus any defined or adjusted in
 * environments.json. Each is DEFAULT_CONFIG with the environment's values merged over it. Pure.
 */

import { isPlainObject as isObject, type JsonObject as Json } from '../lib/json';
import { ConfigValidationError, DEFAULT_CONFIG, parseStackConfig, type StackConfig } from './config';

/** Built-in environments, as overrides of DEFAULT_CONFIG. */
export const BUILT_IN_ENVIRONMENTS: Readonly<Record<string, Json>> = {
  dev: {
    namePrefix: 'thumbnails-dev',
    logRetentionDays: 14,
    forceDestroyBuckets: true,
    logLevel: 'DEBUG',
  },
  prod: {
    namePrefix: 'thumbnails-prod',
    logRetentionDays: 365,
    forceDestroyBuckets: false,
    thumbnail: { reservedConcurrency: 50 },
    alarms: { enabled: true, errorThreshold: 1 },
  },
  localstack: {
    namePrefix: 'thumbnails-local',
    region: 'us-east-1',
    endpoint: 'http://localhost:4566',
    accountId: '000000000000',
    forceDestroyBuckets: true,
    logRetentionDays: 1,
    alarms: { enabled: false, errorThreshold: 1 },
  },
  // An example of adopting a bucket a team already has (README, "Use your existing bucket"):
  // `make local ENV=adopted` runs it; to deploy it, name your own bucket in environments.json.
  adopted: {
    namePrefix: 'thumbnails-adopted',
    logRetentionDays: 14,
    forceDestroyBuckets: true,
    logLevel: 'DEBUG',
    originals: {
      existingBucket: 'acme-photo-uploads',
      delivery: 'eventbridge',
      prefix: 'uploads/',
      kmsKeyArn: 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
    thumbnail: { triggerSuffixes: ['.jpg', '.jpeg'] },
  },
};

/** Objects merge key by key; anything else (arrays included) is replaced. */
export function mergeConfig(base: Json, override: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = isObject(value) && isObject(merged[key]) ? mergeConfig(merged[key] as Json, value) : value;
  }
  return merged;
}

/** Every environment's validated configuration; `file` is the parsed environments.json, if any. */
export function resolveEnvironments(file: unknown = {}, source = 'environments.json'): Map<string, StackConfig> {
  if (!isObject(file))
    throw new ConfigValidationError(source, [{ path: [], message: 'must be an object of environment name -> settings' }]);
  const names = [...new Set([...Object.keys(BUILT_IN_ENVIRONMENTS), ...Object.keys(file)])];
  return new Map(
    names.map((name) => {
      const overrides = file[name] ?? {};
      if (!isObject(overrides)) throw new ConfigValidationError(source, [{ path: [name], message: 'must be an object of settings' }]);
      const merged = mergeConfig(
        mergeConfig(DEFAULT_CONFIG as unknown as Json, BUILT_IN_ENVIRONMENTS[name] ?? { namePrefix: `thumbnails-${name}` }),
        {
          ...overrides,
          environment: name,
        },
      );
      return [name, parseStackConfig(merged, `${source}: environment "${name}"`)];
    }),
  );
}

/** Edits (insert, delete, replace) from one name to another. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Names in environments.json that look like a typo of a built-in environment ("devv" for "dev"):
 * such a name makes a stack of its own and leaves the built-in one as it was, silently otherwise.
 */
export function likelyTypos(
  fileNames: readonly string[],
  builtIns: readonly string[] = Object.keys(BUILT_IN_ENVIRONMENTS),
): { name: string; meant: string }[] {
  return fileNames.flatMap((name) => {
    if (builtIns.includes(name)) return [];
    const meant = builtIns.find((builtIn) => {
      const distance = editDistance(name.toLowerCase(), builtIn);
      return distance > 0 ? distance <= Math.max(1, Math.floor(builtIn.length / 3)) : name !== builtIn;
    });
    return meant ? [{ name, meant }] : [];
  });
}
