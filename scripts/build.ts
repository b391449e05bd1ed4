/**
 * `make build`: bundle every handler with esbuild for the Lambda Node.js runtime.
 * sharp stays external (it is resolved from the layer at run time); the source map is written
 * next to the bundle, outside the zip.
 */

import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { listHandlers } from '../lib/handlers';
import { PATHS, ROOT } from '../lib/paths';
import { formatBytes } from './lib/budgets';
import { isMain, runMain } from './lib/cli';

/** Packages provided by layers, never bundled. */
export const EXTERNAL = ['sharp'] as const;

/** The Lambda runtime the bundles target (see infra/config.ts). */
export const NODE_TARGET = 'node24';

export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'cjs',
    // Prefer the ES module builds of dependencies: they tree-shake better.
    mainFields: ['module', 'main'],
    external: [...EXTERNAL],
    // A dynamic import() of a Node.js builtin (the SDK does `await import("node:http")` on its first
    // request) builds an ES module facade, ~25 ms of the first invocation; require() is instant.
    supported: { 'dynamic-import': false },
    minify: true,
    // Stack traces name their functions (`at processEvent`, not `at mhe`) for ~11 ms more cold start
    // (Node.js 24, median of 41 fresh processes); a source map with --enable-source-maps would map
    // frames to TypeScript lines, but cost ~23 ms at import and ~113 ms on the first error, and
    // double the zip. The map stays beside the bundle, outside the zip, for reading traces offline.
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: true,
    legalComments: 'external',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  };
}

async function main() {
  rmSync(PATHS.build, { recursive: true, force: true });
  for (const handler of listHandlers()) {
    const outDir = join(PATHS.build, handler.name);
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, 'index.js');
    const started = performance.now();
    const result = await build(esbuildOptions(handler.entry, outfile));
    const bytes = result.metafile?.outputs[relative(ROOT, outfile)]?.bytes ?? 0;
    console.log(`built ${handler.name}: ${relative(ROOT, outfile)} ${formatBytes(bytes)} in ${Math.round(performance.now() - started)} ms`);
  }
}

if (isMain(import.meta.url)) runMain('build', main);
