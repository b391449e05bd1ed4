/** The command-line tools the benchmark compares against, found on PATH (skipping stand-in scripts). */

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** Every match for `name` on PATH, in order. */
function whichAll(name: string): string[] {
  return (process.env['PATH'] ?? '')
    .split(':')
    .filter(Boolean)
    .map((dir) => `${dir}/${name}`)
    .filter((path) => existsSync(path));
}

/** True for a compiled program (ELF), false for a script standing in for one. */
function isElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(4);
    readSync(fd, header, 0, 4, 0);
    return header.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export function findBinary(name: string): string | undefined {
  return whichAll(name).find((path) => isElf(path));
}

export function versionOf(binary: string, args: string[]): string {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  return (
    `${result.stdout}${result.stderr}`
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? 'unknown version'
  );
}

/** GNU time, which reports a child's peak resident memory (%M). */
export function findGnuTime(): string | undefined {
  const path = findBinary('time');
  if (!path) return undefined;
  try {
    execFileSync(path, ['-f', '%M', 'true'], { stdio: 'pipe' });
    return path;
  } catch {
    return undefined;
  }
}
