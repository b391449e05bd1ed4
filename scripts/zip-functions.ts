/** `make zip`: one deterministic zip per built handler, with its size checked against the budget. */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ARCHITECTURES, layerZipPath } from '../lib/architectures';
import { listHandlers } from '../lib/handlers';
import { functionZipPath, PATHS, ROOT } from '../lib/paths';
import { functionFiles } from './build';
import { BUDGETS, formatBytes, LAMBDA_LIMITS, overBudget } from './lib/budgets';
import { isMain, runMain } from './lib/cli';
import { createZip, unzippedBytes } from './lib/zip';

async function main() {
  mkdirSync(PATHS.functionZips, { recursive: true });
  // Lambda's unzipped limit counts a function with its layers; any function may use the sharp layer.
  const layerUnzipped = Math.max(
    0,
    ...ARCHITECTURES.map(layerZipPath)
      .filter(existsSync)
      .map((path) => unzippedBytes(readFileSync(path))),
  );
  const problems: string[] = [];
  for (const handler of listHandlers()) {
    // The bundle and its lazy chunks; source maps and license files stay out.
    const dir = join(PATHS.build, handler.name);
    const entries = functionFiles((file) => existsSync(join(dir, file))).map((file) => ({
      path: file,
      data: readFileSync(join(dir, file)),
    }));
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
