/**
 * One local stack per data folder. Whoever starts one (make local, invoke, redrive, backfill) takes
 * `<data>/instance.json` before touching anything there, writes its endpoints into it once its
 * servers run, and removes it on the way out. A second one reads it and refuses at once, naming the
 * running one; a lock whose process is gone is taken over.
 */

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningInstance {
  readonly pid: number;
  readonly startedAt: string;
  /** What started it, e.g. "make local --serve". */
  readonly command: string;
  /** The synthesized stack it runs, e.g. thumbnails-dev. */
  readonly stack?: string;
  readonly s3Endpoint?: string;
  readonly sqsEndpoint?: string;
  /** Present when it serves Lambda's Invoke API (make local --serve): others can invoke its functions. */
  readonly lambdaEndpoint?: string;
}

export class InstanceRunningError extends Error {
  constructor(
    readonly instance: RunningInstance,
    dataDir: string,
  ) {
    const endpoints = instance.s3Endpoint ? `, S3 at ${instance.s3Endpoint}` : ' (still starting)';
    super(
      `a local stack is already running on ${dataDir}: pid ${instance.pid} ("${instance.command}", since ${instance.startedAt})${endpoints}. ` +
        `Stop it first (Ctrl-C in its terminal, or \`kill ${instance.pid}\`)${instance.lambdaEndpoint ? '; make invoke and make backfill LOCAL=1 can use it as it runs' : ''}. Nothing was changed.`,
    );
    this.name = 'InstanceRunningError';
  }
}

export const lockFile = (dataDir: string) => join(dataDir, 'instance.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The instance running on `dataDir`, if its process is alive. */
export function runningInstance(dataDir: string): RunningInstance | undefined {
  let instance: RunningInstance;
  try {
    instance = JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as RunningInstance;
  } catch {
    return undefined;
  }
  return Number.isInteger(instance.pid) && instance.pid !== process.pid && alive(instance.pid) ? instance : undefined;
}

export interface InstanceLock {
  /** Record the endpoints once the servers run. */
  update(endpoints: Pick<RunningInstance, 's3Endpoint' | 'sqsEndpoint' | 'lambdaEndpoint' | 'stack'>): void;
  release(): void;
}

/** Take the data folder, or throw InstanceRunningError naming the instance that has it. Released on exit, whatever the exit. */
export function acquireInstanceLock(dataDir: string, command: string): InstanceLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  let current: RunningInstance = { pid: process.pid, startedAt: new Date().toISOString(), command };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(current));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const running = runningInstance(dataDir);
      if (running) throw new InstanceRunningError(running, dataDir);
      // Left by a process that is gone (killed, crashed): take it over.
      rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as RunningInstance).pid === process.pid) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return {
    update(endpoints) {
      current = { ...current, ...endpoints };
      writeFileSync(file, JSON.stringify(current));
    },
    release,
  };
}
