/** The environments as configured on disk: built-ins plus environments.json (or ENVIRONMENTS_FILE). */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHITECTURES, isArchitecture } from '../lib/architectures';
import { readJsonFile } from '../lib/json-file';
import { ROOT } from '../lib/paths';
import type { StackConfig } from './config';
import { resolveEnvironments } from './environments';

/**
 * The environments, each on the architecture ARCHITECTURE names when it is set (`make local
 * ARCH=arm64` runs every environment on arm64 without editing environments.json).
 */
export const environmentsFilePath = (): string => process.env['ENVIRONMENTS_FILE'] ?? join(ROOT, 'environments.json');

/** The environment names environments.json itself declares (none without the file). */
export function environmentsFileNames(): string[] {
  const path = environmentsFilePath();
  if (!existsSync(path)) return [];
  const file = readJsonFile(path, { missingHint: 'environments are optional' });
  return typeof file === 'object' && file !== null && !Array.isArray(file) ? Object.keys(file) : [];
}

export function readEnvironments(): Map<string, StackConfig> {
  const path = environmentsFilePath();
  const environments = existsSync(path)
    ? resolveEnvironments(readJsonFile(path, { missingHint: 'environments are optional' }), path)
    : resolveEnvironments({});
  const architecture = process.env['ARCHITECTURE']?.trim();
  if (!architecture) return environments;
  if (!isArchitecture(architecture)) throw new Error(`ARCH=${architecture}: use ${ARCHITECTURES.join(' or ')}`);
  return new Map([...environments].map(([name, config]) => [name, { ...config, architecture }]));
}

/** One environment's configuration; an unknown name fails with the names there are. */
export function readEnvironment(name: string): StackConfig {
  const environments = readEnvironments();
  const config = environments.get(name);
  if (!config) throw new Error(`unknown environment "${name}": use one of ${[...environments.keys()].join(', ')}`);
  return config;
}
