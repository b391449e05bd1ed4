/** The architectures the environments run on (after ARCH=), one per line: what `make layer` builds. */

import { readEnvironments } from '../infra/environments-file';
import { isMain, runMain } from './lib/cli';

async function main() {
  console.log([...new Set([...readEnvironments().values()].map((config) => config.architecture))].join('\n'));
}

if (isMain(import.meta.url)) runMain('architectures', main);
