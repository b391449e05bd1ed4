/**
 * Temporary folders for tests, removed whatever happens to the test: a vitest fixture (`test` with
 * `tmp`) for a test's own folder, and `tempDir` for a folder a whole file shares (made when the
 * file is collected, removed after it).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test as base } from 'vitest';

const make = (prefix: string) => mkdtempSync(join(tmpdir(), `${prefix}-`));
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** A folder shared by a test file: call it at the top level of the file (not inside a test or a hook). */
export function tempDir(prefix: string): string {
  const dir = make(prefix);
  afterAll(() => remove(dir));
  return dir;
}

/** `test` with a `tmp` fixture: a fresh folder for the test, removed after it however it ends. */
export const test = base.extend<{ tmp: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture uses from this pattern.
  tmp: async ({}, use) => {
    const dir = make('test');
    try {
      await use(dir);
    } finally {
      remove(dir);
    }
  },
});
