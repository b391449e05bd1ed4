/**
 * `make layer`: the sharp Lambda layer. Installs layer/package-lock.json for linux/x64/glibc whatever
 * the host, prunes what the runtime never loads, refuses symlinks, and writes a deterministic zip
 * with everything under nodejs/node_modules.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { listHandlers } from '../lib/handlers';
import { functionZipPath, PATHS, ROOT } from '../lib/paths';
import { BUDGETS, formatBytes, LAMBDA_LIMITS, overBudget } from './lib/budgets';
import { isMain, runMain } from './lib/cli';
import { createZip, unzippedBytes, type ZipEntry } from './lib/zip';

/** Packages the layer must contain for sharp to load on Lambda x86_64. */
export const REQUIRED_PACKAGES = ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'] as const;

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

function install(staging: string) {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(PATHS.layerSource, file), join(staging, file));
  const args = [
    'ci',
    '--os=linux',
    '--cpu=x64',
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

function verify(nodeModules: string) {
  for (const name of REQUIRED_PACKAGES) {
    if (!existsSync(join(nodeModules, name, 'package.json')))
      throw new Error(`the layer is missing ${name}: was it installed for linux/x64/glibc?`);
  }
  const installed = JSON.parse(readFileSync(join(nodeModules, 'sharp', 'package.json'), 'utf8')).version;
  const wanted = projectSharpVersion();
  if (installed !== wanted)
    throw new Error(`the layer has sharp ${installed} but the project pins ${wanted}; update layer/package.json and its lock`);
}

async function main() {
  const started = performance.now();
  const staging = join(PATHS.layerStaging, 'nodejs');
  rmSync(PATHS.layerStaging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  install(staging);
  const nodeModules = join(staging, 'node_modules');
  verify(nodeModules);

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
  mkdirSync(dirname(PATHS.layerZip), { recursive: true });
  writeFileSync(PATHS.layerZip, zip);
  const unzipped = entries.reduce((sum, entry) => sum + entry.data.byteLength, 0);
  console.log(
    `${relative(ROOT, PATHS.layerZip)}: ${entries.length} files, ${formatBytes(zip.byteLength)} zipped, ${formatBytes(unzipped)} unzipped ` +
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

if (isMain(import.meta.url)) runMain('layer', main);
