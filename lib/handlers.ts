/** The handlers under handlers/: each folder with an index.ts is one Lambda function. */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS } from './paths';

export interface HandlerSource {
  readonly name: string;
  readonly entry: string;
}

export function listHandlers(root = PATHS.handlers): HandlerSource[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory() && existsSync(join(root, dirent.name, 'index.ts')))
    .map((dirent) => ({ name: dirent.name, entry: join(root, dirent.name, 'index.ts') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
