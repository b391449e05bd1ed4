/** Reading a JSON file a person named or a build wrote, with errors that say which file and why. */

import { existsSync, readFileSync } from 'node:fs';

/**
 * Parse a JSON file; a missing file or bad JSON fails with a message that names the file.
 * `what` names the kind of file; `missingHint` says where such a file comes from.
 */
export function readJsonFile(path: string, describe: { what?: string; missingHint: string }): unknown {
  if (!existsSync(path)) throw new Error(`${describe.what ? `${describe.what} ` : ''}${path} does not exist (${describe.missingHint})`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
