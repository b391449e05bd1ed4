/** The built zips the stack deploys, identified by their bytes. */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { listHandlers } from '../lib/handlers';
import { functionZipPath, PATHS } from '../lib/paths';

export interface ZipArtifact {
  readonly path: string;
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256 and Terraform's filebase64sha256() computes it. */
  readonly sha256Base64: string;
}

export interface StackArtifacts {
  readonly functions: Readonly<Record<string, ZipArtifact>>;
  readonly sharpLayer: ZipArtifact;
}

export const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

/** Read a zip the build made; fails with the make target to run when it is missing. */
export function readZipArtifact(path: string, makeTarget: string): ZipArtifact {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run \`make ${makeTarget}\` first`);
  return { path, sha256Base64: sha256Base64(readFileSync(path)) };
}

/** What `make zip` and `make layer` built: every handler's zip and the sharp layer. */
export function readBuiltArtifacts(): StackArtifacts {
  return {
    functions: Object.fromEntries(listHandlers().map(({ name }) => [name, readZipArtifact(functionZipPath(name), 'zip')])),
    sharpLayer: readZipArtifact(PATHS.layerZip, 'layer'),
  };
}
