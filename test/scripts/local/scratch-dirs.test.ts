import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { makeScratchDir, removeStaleScratchDirs } from '../../../scripts/local/scratch-dirs';
import { test } from '../../support/tmp';

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

describe('scratch folders of local runs', () => {
  test("removes a killed run's folder, and keeps a live run's, its own and other kinds", ({ tmp }) => {
    const dead = join(tmp, `thumbnail-pipeline-functions-${deadPid()}-abc`);
    const live = join(tmp, `thumbnail-pipeline-functions-${process.ppid}-def`);
    const other = join(tmp, `something-else-${deadPid()}-ghi`);
    for (const dir of [dead, live, other]) mkdirSync(dir);
    expect(removeStaleScratchDirs('thumbnail-pipeline-functions', tmp)).toEqual([dead.split('/').at(-1)]);
    expect([existsSync(dead), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
  });

  test('names a new folder after this process, removing stale ones first', ({ tmp }) => {
    mkdirSync(join(tmp, `thumbnail-pipeline-functions-${deadPid()}-old`));
    const made = makeScratchDir('thumbnail-pipeline-functions', tmp);
    expect(made).toContain(`thumbnail-pipeline-functions-${process.pid}-`);
    expect(readdirSync(tmp)).toEqual([made.split('/').at(-1)]);
  });
});
