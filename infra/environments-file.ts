/** The environments as configured on disk: built-ins plus environments.json (or ENVIRONMENTS_FILE). */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '../lib/json-file';
import { ROOT } from '../lib/paths';
import type { StackConfig } from './config';
import { resolveEnvironments } from './environments';

export function readEnvironments(): Map<string, StackConfig> {
  const path = process.env['ENVIRONMENTS_FILE'] ?? join(ROOT, 'environments.json');
  if (!existsSync(path)) return resolveEnvironments({});
  return resolveEnvironments(readJsonFile(path, { missingHint: 'environments are optional' }), path);
}

/** One environment's configuration; an unknown name fails with the names there are. */
export function readEnvironment(name: string): StackConfig {
  const environments = readEnvironments();
  const config = environments.get(name);
  if (!config) throw new Error(`unknown environment "${name}": use one of ${[...environments.keys()].join(', ')}`);
  return config;
}
