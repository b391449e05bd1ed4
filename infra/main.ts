/**
 * `make synth`: the only file with side effects. Reads environments.json and the built zips,
 * builds one stack per environment, and writes cdktf.out/stacks/thumbnails-<env>/cdk.tf.json.
 */

import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'cdktf';
import { PATHS, ROOT } from '../lib/paths';
import { readBuiltArtifacts } from './artifacts';
import { readEnvironments } from './environments-file';
import { stackName } from './names';
import { ThumbnailStack } from './stacks/thumbnail-stack';

function main() {
  const environments = readEnvironments();
  const artifacts = readBuiltArtifacts();
  mkdirSync(PATHS.cdktfOut, { recursive: true });
  const app = new App({ outdir: PATHS.cdktfOut, skipValidation: false });
  for (const [name, config] of environments) new ThumbnailStack(app, stackName(name), { config, artifacts });
  app.synth();
  for (const name of environments.keys())
    console.log(`synthesized ${relative(ROOT, join(PATHS.cdktfOut, 'stacks', stackName(name), 'cdk.tf.json'))}`);
}

try {
  main();
} catch (error) {
  console.error(`synth: ${(error as Error).message}`);
  process.exitCode = 1;
}
