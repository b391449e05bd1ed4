/**
 * The Node.js that runs packaged functions locally: the Lambda runtime's major version, for the
 * function's architecture, from the npm registry (`make lambda-node [ARCH=arm64]`). An arm64
 * function on an x86_64 machine runs under qemu's user-mode emulation (Debian's qemu-user-static),
 * with Debian's arm64 glibc and libstdc++ (libc6-arm64-cross, libstdc++6-arm64-cross).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Architecture, NODE_CPU } from '../../lib/architectures';
import { ROOT } from '../../lib/paths';

/** Where `make lambda-node` installs each architecture's node-linux-* package. */
export const lambdaNodeDir = (architecture: Architecture) =>
  join(ROOT, 'build', architecture === 'x86_64' ? 'lambda-node' : `lambda-node-${architecture}`);

/** The package.json and lock `make lambda-node` installs from. */
export const lambdaNodeSource = (architecture: Architecture) =>
  join(ROOT, 'scripts', 'local', architecture === 'x86_64' ? 'lambda-node' : `lambda-node-${architecture}`);

const packageDir = (architecture: Architecture) =>
  join(lambdaNodeDir(architecture), 'node_modules', `node-linux-${NODE_CPU[architecture]}`);

/** The node binary `make lambda-node` installed for an architecture, if it is there. */
export function bundledLambdaNode(architecture: Architecture = 'x86_64'): string | undefined {
  const binary = join(packageDir(architecture), 'bin', 'node');
  return existsSync(binary) ? binary : undefined;
}

/** Where Debian's arm64 cross packages put the arm64 glibc and libstdc++: qemu's -L. */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

export interface LambdaNode {
  /** The node binary. */
  readonly path: string;
  readonly version: string;
  /** What to start: node itself, or the emulator with node as its program. */
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly emulated: boolean;
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
  return found === '' ? undefined : found;
}

export class MissingLambdaNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingLambdaNodeError';
  }
}

/**
 * The Node.js closest to the Lambda runtime for `architecture`: for x86_64, LAMBDA_NODE, else
 * `make lambda-node`'s 24.x, else this process's; for arm64, `make lambda-node ARCH=arm64`'s,
 * natively on arm64 and under qemu-aarch64 elsewhere.
 */
export function lambdaNodeBinary(architecture: Architecture = 'x86_64'): LambdaNode {
  const native = (path: string, version: string): LambdaNode => ({ path, version, execPath: path, execArgv: [], emulated: false });
  const installed = bundledLambdaNode(architecture);
  const version = () => JSON.parse(readFileSync(join(packageDir(architecture), 'package.json'), 'utf8')).version as string;
  if (architecture === 'x86_64') {
    const override = process.env['LAMBDA_NODE'];
    if (override) return native(override, spawnSync(override, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, ''));
    if (installed) return native(installed, version());
    return native(process.execPath, process.versions.node);
  }
  if (!installed) throw new MissingLambdaNodeError('no Node.js for arm64: run `make lambda-node ARCH=arm64`');
  if (process.arch === NODE_CPU[architecture]) return native(installed, version());
  const qemu = onPath('qemu-aarch64-static') ?? onPath('qemu-aarch64');
  if (!qemu || !existsSync(join(ARM64_SYSROOT, 'lib', 'ld-linux-aarch64.so.1')))
    throw new MissingLambdaNodeError(
      `arm64 functions run here under emulation, which needs ${qemu ? '' : 'qemu-aarch64-static and '}an arm64 glibc in ${ARM64_SYSROOT}: ` +
        'apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross',
    );
  return { path: installed, version: version(), execPath: qemu, execArgv: ['-L', ARM64_SYSROOT, installed], emulated: true };
}

/** Whether arm64 packages can run here (natively, or emulated), for tests and the bench to skip visibly. */
export function arm64RunsHere(): { readonly ok: boolean; readonly why?: string } {
  try {
    lambdaNodeBinary('arm64');
    return { ok: true };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}
