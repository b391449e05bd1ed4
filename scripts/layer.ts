/**
 * `make layer`: the sharp Lambda layer, one per architecture the environments use (or ARCH=). Installs
 * layer/package-lock.json for linux/<cpu>/glibc whatever the host (sharp's documented cross-install),
 * prunes what the runtime never loads, refuses symlinks, and writes a deterministic zip with
 * everything under nodejs/node_modules to dist/layers/<architecture>/sharp.zip.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Command } from 'commander';
import { readEnvironments } from '../infra/environments-file';
import { ARCHITECTURES, type Architecture, isArchitecture, layerArchitecture, layerZipPath, NODE_CPU } from '../lib/architectures';
import { listHandlers } from '../lib/handlers';
import { functionZipPath, PATHS, ROOT } from '../lib/paths';
import { BUDGETS, formatBytes, LAMBDA_LIMITS, overBudget } from './lib/budgets';
import { isMain, runMain } from './lib/cli';
import { createZip, unzippedBytes, type ZipEntry } from './lib/zip';

/** Packages the layer must contain for sharp to load on Lambda's `architecture`. */
export const requiredPackages = (architecture: Architecture) => [
  'sharp',
  `@img/sharp-linux-${NODE_CPU[architecture]}`,
  `@img/sharp-libvips-linux-${NODE_CPU[architecture]}`,
];

/** The folder Lambda puts on NODE_PATH for every Node.js runtime: /opt/nodejs/node_modules. */
export const LAYER_PREFIX = 'nodejs/node_modules';

/**
 * Files the runtime never loads: docs, type declarations, source maps, C/C++ sources and headers,
 * npm's own bookkeeping. Licence files stay (libvips is LGPL; its notice must travel with it).
 */
export function isPrunable(path: string): boolean {
  const parts = path.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (/^(LICEN[CS]E|COPYING|NOTICE)/i.test(name)) return false;
  if (['bin', 'include', 'install', 'src'].some((dir) => parts.slice(0, -1).includes(dir))) return true;
  if (name === '.package-lock.json' || name === 'package-lock.json') return true;
  return /\.(md|markdown|d\.ts|d\.cts|d\.mts|map|h|hpp|c|cc|cpp|gyp|gypi|bnf)$/i.test(name) || /^(README|CHANGELOG|HISTORY)/i.test(name);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function install(staging: string, architecture: Architecture) {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(PATHS.layerSource, file), join(staging, file));
  const args = [
    'ci',
    '--os=linux',
    `--cpu=${NODE_CPU[architecture]}`,
    '--libc=glibc',
    '--omit=dev',
    '--ignore-scripts',
    '--no-bin-links',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  console.log(`layer: npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: staging, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ci for the layer failed (exit ${result.status}); is the npm registry reachable?`);
}

/** The exact sharp version the project pins, which the layer must match. */
export function projectSharpVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return pkg.dependencies.sharp;
}

function verify(nodeModules: string, architecture: Architecture) {
  for (const name of requiredPackages(architecture)) {
    if (!existsSync(join(nodeModules, name, 'package.json')))
      throw new Error(`the layer is missing ${name}: was it installed for linux/${NODE_CPU[architecture]}/glibc?`);
  }
  const installed = JSON.parse(readFileSync(join(nodeModules, 'sharp', 'package.json'), 'utf8')).version;
  const wanted = projectSharpVersion();
  if (installed !== wanted)
    throw new Error(`the layer has sharp ${installed} but the project pins ${wanted}; update layer/package.json and its lock`);
}

function buildLayer(architecture: Architecture) {
  const started = performance.now();
  const zipPath = layerZipPath(architecture);
  const staging = join(PATHS.layerStaging, architecture, 'nodejs');
  rmSync(join(PATHS.layerStaging, architecture), { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  install(staging, architecture);
  const nodeModules = join(staging, 'node_modules');
  verify(nodeModules, architecture);

  const entries: ZipEntry[] = [];
  let pruned = 0;
  for (const file of walk(nodeModules)) {
    const inside = relative(nodeModules, file).split(sep).join('/');
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) throw new Error(`symlink in the layer: ${inside} (Lambda layers must not contain symlinks)`);
    if (isPrunable(inside)) {
      pruned += stat.size;
      continue;
    }
    entries.push({ path: `${LAYER_PREFIX}/${inside}`, data: readFileSync(file), executable: (stat.mode & 0o111) !== 0 });
  }

  const zip = createZip(entries);
  if (layerArchitecture(zip) !== architecture)
    throw new Error(`the layer built for ${architecture} does not hold linux-${NODE_CPU[architecture]} binaries`);
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zip);
  const unzipped = entries.reduce((sum, entry) => sum + entry.data.byteLength, 0);
  console.log(
    `${relative(ROOT, zipPath)}: ${entries.length} files, ${formatBytes(zip.byteLength)} zipped, ${formatBytes(unzipped)} unzipped ` +
      `(pruned ${formatBytes(pruned)}; budget ${formatBytes(BUDGETS.layerZipBytes)}; Lambda limits ${formatBytes(LAMBDA_LIMITS.zippedBytes)} zipped, ` +
      `${formatBytes(LAMBDA_LIMITS.unzippedBytes)} unzipped with the function) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // Lambda's unzipped limit covers a function and all its layers together.
  const largestFunction = Math.max(
    0,
    ...listHandlers()
      .map(({ name }) => functionZipPath(name))
      .filter(existsSync)
      .map((path) => unzippedBytes(readFileSync(path))),
  );
  const problems = overBudget([
    { label: 'the layer zip', bytes: zip.byteLength, limit: BUDGETS.layerZipBytes, what: 'the layer budget' },
    { label: 'the layer zip', bytes: zip.byteLength, limit: LAMBDA_LIMITS.zippedBytes, what: "Lambda's zipped limit" },
    {
      label: 'the unzipped layer with the largest function',
      bytes: unzipped + largestFunction,
      limit: LAMBDA_LIMITS.unzippedBytes,
      what: "Lambda's unzipped limit",
    },
  ]);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

async function main() {
  const program = new Command('layer')
    .description('Build the sharp Lambda layer for each architecture the environments use')
    .option('--arch <architectures...>', `only these (${ARCHITECTURES.join(', ')}); default: those the environments use`)
    .parse();
  const asked = program.opts<{ arch?: string[] }>().arch;
  for (const name of asked ?? [])
    if (!isArchitecture(name)) throw new Error(`unknown architecture "${name}": use ${ARCHITECTURES.join(' or ')}`);
  const architectures = (asked as Architecture[] | undefined) ?? [
    ...new Set([...readEnvironments().values()].map((config) => config.architecture)),
  ];
  for (const architecture of architectures) buildLayer(architecture);
}

if (isMain(import.meta.url)) runMain('layer', main);
