/**
 * Real third-party files in ../shared/fixtures (photographs, Terraform plans), used when present and
 * never copied into the repository. When absent, the tests that need them are skipped and say so.
 */

import { existsSync } from 'node:fs';
import { sharedFixturesDir } from '../../lib/paths';

export function sharedFixtures(kind: 'images' | 'plans'): { dir: string; present: boolean; label: string } {
  const dir = sharedFixturesDir(kind);
  const present = existsSync(dir);
  if (!present) console.warn(`[skip] ${dir} is absent: tests on real ${kind} are skipped (set SHARED_FIXTURES_DIR to use them)`);
  return { dir, present, label: present ? dir : `${dir} absent: skipped` };
}
