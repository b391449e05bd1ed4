/** `make zip`: one deterministic zip per built handler, with its size checked against the budget. */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listHandlers } from '../lib/handlers';
import { functionZipPath, PATHS, ROOT } from '../lib/paths';
import { BUDGETS, formatBytes, LAMBDA_LIMITS, overBudget } from './lib/budgets';
import { isMain, runMain } from './lib/cli';
import { createZip, unzippedBytes } from './lib/zip';

/** The files of a built handler that go into its zip: the bundle only (its source map stays out). */
export const FUNCTION_ZIP_FILES = ['index.js'] as const;

async function main() {
  mkdirSync(PATHS.functionZips, { recursive: true });
  // Lambda's unzipped limit counts a function with its layers; any function may use the sharp layer.
  const layerUnzipped = existsSync(PATHS.layerZip) ? unzippedBytes(readFileSync(PATHS.layerZip)) : 0;
  const problems: string[] = [];
  for (const handler of listHandlers()) {
    const entries = FUNCTION_ZIP_FILES.map((file) => ({ path: file, data: readFileSync(join(PATHS.build, handler.name, file)) }));
    const zip = createZip(entries);
    const out = functionZipPath(handler.name);
    writeFileSync(out, zip);
    const unzipped = entries.reduce((sum, entry) => sum + entry.data.byteLength, 0);
    console.log(
      `${relative(ROOT, out)}: ${formatBytes(zip.byteLength)} zipped, ${formatBytes(unzipped)} unzipped (budget ${formatBytes(BUDGETS.functionZipBytes)})`,
    );
    problems.push(
      ...overBudget([
        { label: `${handler.name}.zip`, bytes: zip.byteLength, limit: BUDGETS.functionZipBytes, what: 'the function zip budget' },
        { label: `${handler.name}.zip`, bytes: zip.byteLength, limit: LAMBDA_LIMITS.zippedBytes, what: "Lambda's zipped limit" },
        {
          label: `${handler.name} unzipped with the sharp layer`,
          bytes: unzipped + layerUnzipped,
          limit: LAMBDA_LIMITS.unzippedBytes,
          what: "Lambda's unzipped limit",
        },
      ]),
    );
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

if (isMain(import.meta.url)) runMain('zip', main);
