/**
 * Temporary folders for tests, removed whatever happens to the test: a vitest fixture (`test` with
 * `tmp`) for a test's own folder, and `tempDir` for a folder made anywhere else in a test file (at
 * its top level, in a hook, in a helper, in a test): every one is removed after the file, by the
 * hook test/support/setup.ts registers for every file, and when the worker exits.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from 'vitest';

const make = (prefix: string) => mkdtempSync(join(tmpdir(), `${prefix}-`));
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** What tempDir made and has not removed yet, in this worker. */
const made = new Set<string>();

/** A folder for the rest of the test file: removed after it (setup.ts), however its tests end. */
export function tempDir(prefix: string): string {
  const dir = make(prefix);
  made.add(dir);
  return dir;
}

/** Remove every folder tempDir made: after each test file (setup.ts), and at the worker's exit. */
export function removeTempDirs(): void {
  for (const dir of made) remove(dir);
  made.clear();
}

process.once('exit', removeTempDirs);

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
