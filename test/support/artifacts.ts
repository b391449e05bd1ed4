/** The packaged artifacts the build makes (`make zip layer`), for tests that run them. */

import { existsSync } from 'node:fs';
import { type Architecture, layerZipPath } from '../../lib/architectures';
import { functionZipPath } from '../../lib/paths';

export function requireArtifact(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`make zip layer\` (make test does this first)`);
  return path;
}

export const artifacts = {
  functionZip: (name: string) => requireArtifact(functionZipPath(name)),
  layerZip: (architecture: Architecture = 'x86_64') => requireArtifact(layerZipPath(architecture)),
};
