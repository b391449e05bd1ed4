/** One construct, synthesized on its own (cdktf's Testing.synth), and read back. */

import { TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import type { LayerArtifact, ZipArtifact } from '../../infra/artifacts';
import type { Architecture } from '../../lib/architectures';
import { type ResourceEntry, resourcesOfType, type TerraformJson } from '../../scripts/lib/terraform-json';
import { fakeArtifacts } from './stack';
import { tempDir } from './tmp';

export interface SynthesizedScope {
  /** The JSON text, for Testing.toHaveResourceWithProperties. */
  readonly text: string;
  readonly json: TerraformJson;
  /** The one resource of `type`; fails when there is not exactly one. */
  only(type: string): ResourceEntry;
  all(type: string): ResourceEntry[];
}

export function synthConstruct(build: (scope: Construct) => void): SynthesizedScope {
  // Testing.synthScope would make an app in a temporary folder of its own and leave it behind.
  const stack = new TerraformStack(Testing.app({ outdir: tempDir('construct-app') }), 'stack');
  build(stack);
  const text = Testing.synth(stack);
  const json = JSON.parse(text) as TerraformJson;
  return {
    text,
    json,
    all: (type) => resourcesOfType(json, type),
    only(type) {
      const found = resourcesOfType(json, type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
      return found[0] as ResourceEntry;
    },
  };
}

/** How one resource refers to another's attribute in synthesized JSON. */
export const refTo = (resource: ResourceEntry, attribute: string) => `\${${resource.address}.${attribute}}`;

/** A stand-in built zip (a real file: TerraformAsset reads it), removed after the test file: constructs only need its path and hash. */
export const stubZip = () => fakeArtifacts(tempDir('construct-zips')).functions['thumbnail'] as ZipArtifact;

/** A stand-in layer zip for an architecture. */
export const stubLayerZip = (architecture: Architecture): LayerArtifact =>
  fakeArtifacts(tempDir('construct-zips')).sharpLayers[architecture] as LayerArtifact;
