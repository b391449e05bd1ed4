/**
 * `make` in the checkout, with everything it writes moved to a temporary folder: synthesized stacks
 * (CDKTF_OUTDIR), terraform state beside them, and make local's data (LOCAL_DATA_DIR). Tests never
 * write into the checkout's own cdktf.out or .local, which a developer's `make apply-plan` or
 * running `make local` would pick up.
 */

import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../lib/paths';

export interface IsolatedMake {
  /** Where CDKTF_OUTDIR points. */
  readonly cdktfOut: string;
  readonly localData: string;
  /** The synthesized stack folder of an environment. */
  stackDir(environment: string): string;
  run(args: readonly string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** The same, without blocking this process: for makes that talk to a server the test runs. */
  runAsync(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }>;
}

export function isolatedMake(dir: string, baseEnv: NodeJS.ProcessEnv = process.env): IsolatedMake {
  const cdktfOut = join(dir, 'cdktf.out');
  const localData = join(dir, '.local');
  const environment = (env: NodeJS.ProcessEnv) => ({ ...env, CDKTF_OUTDIR: cdktfOut, LOCAL_DATA_DIR: localData });
  return {
    cdktfOut,
    localData,
    stackDir: (environment) => join(cdktfOut, 'stacks', `thumbnails-${environment}`),
    run: (args, env = baseEnv) =>
      spawnSync('make', ['--no-print-directory', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 300_000,
        env: environment(env),
      }),
    runAsync: (args, env = baseEnv) =>
      new Promise((resolve, reject) => {
        const child = spawn('make', ['--no-print-directory', ...args], { cwd: ROOT, env: environment(env) });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
        });
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      }),
  };
}

/** The environment of a machine without AWS credentials (and without an instance metadata service to ask). */
export function withoutCredentials(dir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('AWS_')) kept[key] = value;
  return { ...kept, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
}
