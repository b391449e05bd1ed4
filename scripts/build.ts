/**
 * `make build`: bundle every handler with esbuild for the Lambda Node.js runtime.
 * sharp stays external (it is resolved from the layer at run time); the source map is written
 * next to the bundle, outside the zip.
 */

import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { listHandlers } from '../lib/handlers';
import { PATHS, ROOT } from '../lib/paths';
import { formatBytes } from './lib/budgets';
import { isMain, runMain } from './lib/cli';

/** Packages provided by layers, never bundled. */
export const EXTERNAL = ['sharp'] as const;

/**
 * Packages a handler loads only on a rare path, by dynamic import(): each is bundled into a file of
 * its own beside index.js and required on first use, so no cold start parses it. The SQS client
 * is needed only to record a failure; inside index.js it cost ~19 ms of every cold start (measured).
 */
export const LAZY_CHUNKS = [
  { specifier: '@aws-sdk/client-sqs', file: 'client-sqs.js', exports: ['SQSClient', 'SendMessageCommand'] },
] as const;

/** The files of a built function that go into its zip: the bundle and the lazy chunks it requires. */
export const functionFiles = (present: (file: string) => boolean): string[] =>
  ['index.js', ...LAZY_CHUNKS.map((chunk) => chunk.file).filter(present)].sort();

/** A dynamic import() of a lazy chunk's package becomes require('./<file>') at run time. */
const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(pluginBuild) {
    for (const chunk of LAZY_CHUNKS) {
      const filter = new RegExp(`^${chunk.specifier.replace(/[/.]/g, '\\$&')}$`);
      pluginBuild.onResolve({ filter }, (args) =>
        args.kind === 'dynamic-import' ? { path: `./${chunk.file}`, external: true } : undefined,
      );
    }
  },
};

/**
 * The SDK's default credential chain, replaced in every bundle by the sources Lambda uses
 * (environment, container endpoint): see handlers/runtime/lambda-credentials.ts.
 */
const ALIASES = { '@aws-sdk/credential-provider-node': './handlers/runtime/lambda-credentials.ts' };

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
    alias: ALIASES,
    plugins: [lazyChunks],
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

/** Bundle one handler into outDir: index.js, and a file for each lazy chunk it imports. */
export async function bundleHandler(entry: string, outDir: string): Promise<{ path: string; bytes: number }[]> {
  const outfile = join(outDir, 'index.js');
  const result = await build(esbuildOptions(entry, outfile));
  const output = result.metafile?.outputs[relative(ROOT, outfile)];
  const files = [{ path: outfile, bytes: output?.bytes ?? 0 }];
  const imported = new Set((output?.imports ?? []).filter((use) => use.external).map((use) => use.path));
  for (const chunk of LAZY_CHUNKS.filter((candidate) => imported.has(`./${candidate.file}`))) {
    const chunkFile = join(outDir, chunk.file);
    const chunkResult = await build({
      ...esbuildOptions(entry, chunkFile),
      entryPoints: undefined,
      stdin: { contents: `export { ${chunk.exports.join(', ')} } from '${chunk.specifier}';`, resolveDir: ROOT, loader: 'ts' },
      plugins: [],
    });
    files.push({ path: chunkFile, bytes: chunkResult.metafile?.outputs[relative(ROOT, chunkFile)]?.bytes ?? 0 });
  }
  return files;
}

async function main() {
  rmSync(PATHS.build, { recursive: true, force: true });
  for (const handler of listHandlers()) {
    const outDir = join(PATHS.build, handler.name);
    mkdirSync(outDir, { recursive: true });
    const started = performance.now();
    const files = await bundleHandler(handler.entry, outDir);
    console.log(
      `built ${handler.name}: ${files.map((file) => `${relative(ROOT, file.path)} ${formatBytes(file.bytes)}`).join(', ')} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}

if (isMain(import.meta.url)) runMain('build', main);
