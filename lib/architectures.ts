/**
 * Lambda's two architectures, and how the sharp layer built for each is recognised: by the
 * platform packages it carries (@img/sharp-linux-x64 or -arm64), not by its file name. Shared by
 * the layer build, the stack (which refuses a layer of the wrong architecture) and the local runner.
 */

import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { ROOT } from './paths';

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** npm's and Node.js's name for each (`npm install --cpu=...`, process.arch). */
export const NODE_CPU: Readonly<Record<Architecture, 'x64' | 'arm64'>> = { x86_64: 'x64', arm64: 'arm64' };

export const isArchitecture = (value: string): value is Architecture => (ARCHITECTURES as readonly string[]).includes(value);

/** Where `make layer` writes the layer for an architecture. */
export const layerZipPath = (architecture: Architecture) => join(ROOT, 'dist', 'layers', architecture, 'sharp.zip');

const PLATFORM_PACKAGE = /^nodejs\/node_modules\/@img\/sharp-linux-(x64|arm64)\/package\.json$/;

/** The architecture a sharp layer zip was built for, from the platform package inside it; undefined if it has none. */
export function layerArchitecture(zip: Uint8Array): Architecture | undefined {
  let found: Architecture | undefined;
  unzipSync(zip, {
    filter: (file) => {
      const cpu = PLATFORM_PACKAGE.exec(file.name)?.[1];
      if (cpu) found = cpu === 'arm64' ? 'arm64' : 'x86_64';
      return false;
    },
  });
  return found;
}
