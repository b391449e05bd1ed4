/** The environments as configured on disk: built-ins plus environments.json (or ENVIRONMENTS_FILE). */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../../infra/config';
import { resolveEnvironments } from '../../infra/environments';
import { ROOT } from './paths';

export function readEnvironments(): Map<string, StackConfig> {
  const path = process.env['ENVIRONMENTS_FILE'] ?? join(ROOT, 'environments.json');
  if (!existsSync(path)) return resolveEnvironments({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return resolveEnvironments(parsed, path);
}
