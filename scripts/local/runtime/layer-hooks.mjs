// ES module resolution as on Lambda's Node.js 18+ runtimes: a bare specifier that the function's own
// folder cannot resolve is looked up in the layers' node_modules folders (plain Node ESM ignores
// NODE_PATH, which is how CommonJS code finds them). Registered by bootstrap.mjs via module.register().

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @type {string[]} */
let roots = [];

/** @param {{ roots: string[] }} data */
export function initialize(data) {
  roots = data.roots;
}

const isBare = (specifier) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
    for (const root of roots) {
      // A parent module beside `root` makes Node's node_modules lookup start in `root`.
      const parentURL = pathToFileURL(join(root, '..', '__layer_parent__.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // try the next layer folder
      }
    }
    throw error;
  }
}
