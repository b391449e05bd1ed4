/**
 * A Lambda-like file layout from the packaged zips: the function unzipped into a task folder
 * (/var/task), every layer unzipped into one /opt folder, in order, later layers overwriting earlier.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { readZip } from '../lib/zip';

export interface LambdaLayout {
  readonly taskRoot: string;
  readonly optRoot: string;
}

function extract(zipFile: string, into: string) {
  const root = resolve(into);
  for (const [path, data] of readZip(readFileSync(zipFile))) {
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new Error(`${zipFile}: entry ${path} escapes the extraction folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
}

/**
 * On Lambda nothing sits above /var/task. Locally, a package.json above the task folder would change
 * how Node reads index.js ("type": "module"), and a node_modules above it would let the function load
 * packages that are not in its zip or layers. Refuse such a folder.
 */
export function assertIsolated(dir: string): void {
  for (let parent = dirname(resolve(dir)); ; parent = dirname(parent)) {
    for (const name of ['package.json', 'node_modules']) {
      if (existsSync(join(parent, name)))
        throw new Error(
          `cannot unpack a function under ${dir}: ${join(parent, name)} would be visible to it (use a folder outside any Node project)`,
        );
    }
    if (dirname(parent) === parent) return;
  }
}

export function extractLambdaLayout(functionZip: string, layerZips: readonly string[], dir: string): LambdaLayout {
  assertIsolated(dir);
  const taskRoot = join(dir, 'task');
  const optRoot = join(dir, 'opt');
  mkdirSync(taskRoot, { recursive: true });
  mkdirSync(optRoot, { recursive: true });
  extract(functionZip, taskRoot);
  for (const layer of layerZips) extract(layer, optRoot);
  return { taskRoot, optRoot };
}

/** NODE_PATH as the nodejs24.x runtime sets it, with /opt and /var/task replaced by local folders. */
export function lambdaNodePath(layout: LambdaLayout, nodeMajor = 24): string {
  return [
    join(layout.optRoot, 'nodejs', `node${nodeMajor}`, 'node_modules'),
    join(layout.optRoot, 'nodejs', 'node_modules'),
    layout.taskRoot,
  ].join(':');
}
