/**
 * Scratch folders a local run makes in the system's temporary folder, named after the process that
 * made them, so a run killed before it could clean up (SIGKILL, a crash, a closed terminal) has its
 * folders removed by the next one: any folder of the kind whose process is gone.
 */

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Remove `<prefix>-<pid>-*` folders of processes that no longer run; returns what was removed. */
export function removeStaleScratchDirs(prefix: string, dir = tmpdir()): string[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-`);
  const removed: string[] = [];
  for (const entry of readdirSync(dir)) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(dir, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/** A scratch folder named after this process; stale ones of the same kind are removed first. */
export function makeScratchDir(prefix: string, dir = tmpdir()): string {
  removeStaleScratchDirs(prefix, dir);
  return mkdtempSync(join(dir, `${prefix}-${process.pid}-`));
}
