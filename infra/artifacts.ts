/** The built zips the stack deploys, identified by their bytes. */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ARCHITECTURES, type Architecture, layerArchitecture, layerZipPath } from '../lib/architectures';
import { listHandlers } from '../lib/handlers';
import { functionZipPath } from '../lib/paths';

export interface ZipArtifact {
  readonly path: string;
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256 and Terraform's filebase64sha256() computes it. */
  readonly sha256Base64: string;
}

/** A sharp layer zip, with the architecture its binaries are for (read from its contents). */
export interface LayerArtifact extends ZipArtifact {
  readonly architecture: Architecture | undefined;
}

export interface StackArtifacts {
  readonly functions: Readonly<Record<string, ZipArtifact>>;
  /** The layers built, by architecture; the stack takes the one its configuration names. */
  readonly sharpLayers: Readonly<Partial<Record<Architecture, LayerArtifact>>>;
}

export const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

/** Read a zip the build made; fails with the make target to run when it is missing. */
export function readZipArtifact(path: string, makeTarget: string): ZipArtifact {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run \`make ${makeTarget}\` first`);
  return { path, sha256Base64: sha256Base64(readFileSync(path)) };
}

/** Read a layer zip the build made, and which architecture it is for. */
export function readLayerArtifact(path: string): LayerArtifact {
  const bytes = readFileSync(path);
  return { path, sha256Base64: sha256Base64(bytes), architecture: layerArchitecture(bytes) };
}

/** What `make zip` and `make layer` built: every handler's zip and the sharp layer of each architecture built. */
export function readBuiltArtifacts(): StackArtifacts {
  return {
    functions: Object.fromEntries(listHandlers().map(({ name }) => [name, readZipArtifact(functionZipPath(name), 'zip')])),
    sharpLayers: Object.fromEntries(
      ARCHITECTURES.filter((arch) => existsSync(layerZipPath(arch))).map((arch) => [arch, readLayerArtifact(layerZipPath(arch))]),
    ),
  };
}
