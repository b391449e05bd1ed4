/** Synthesizing the stack in tests, with small stand-in zips instead of real builds. */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { type StackArtifacts, sha256Base64 } from '../../infra/artifacts';
import { DEFAULT_CONFIG, type StackConfig } from '../../infra/config';
import { mergeConfig, resolveEnvironments } from '../../infra/environments';
import { stackName } from '../../infra/names';
import { ThumbnailStack } from '../../infra/stacks/thumbnail-stack';
import { createZip } from '../../scripts/lib/zip';
import type { TerraformJson } from './terraform-json';

export function fakeArtifacts(dir: string): StackArtifacts {
  const zip = (name: string) => {
    const bytes = createZip([{ path: 'index.js', data: Buffer.from(`exports.handler = async () => '${name}';\n`) }]);
    const path = join(dir, `${name}.zip`);
    writeFileSync(path, bytes);
    return { path, sha256Base64: sha256Base64(bytes) };
  };
  return {
    functions: { thumbnail: zip('thumbnail'), calculator: zip('calculator') },
    sharpLayers: { x86_64: { ...zip('layer-x86_64'), architecture: 'x86_64' }, arm64: { ...zip('layer-arm64'), architecture: 'arm64' } },
  };
}

/** The dev environment's config with `overrides` merged in. */
export function devConfig(overrides: Record<string, unknown> = {}): StackConfig {
  const dev = resolveEnvironments({ dev: overrides }).get('dev');
  if (!dev) throw new Error('no dev environment');
  return dev;
}

/** Synthesize as `make synth` does (a real App, assets copied) and read back cdk.tf.json. */
export function synthStack(config: StackConfig, artifacts: StackArtifacts): TerraformJson {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    const app = new App({ outdir });
    const id = stackName(config.environment);
    new ThumbnailStack(app, id, { config, artifacts });
    app.synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export { DEFAULT_CONFIG, mergeConfig };
