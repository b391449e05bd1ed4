/**
 * `make synth`: the only file with side effects. Reads environments.json and the built zips,
 * builds one stack per environment, and writes cdktf.out/stacks/thumbnails-<env>/cdk.tf.json.
 */

import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'cdktf';
import { PATHS, ROOT } from '../lib/paths';
import { readBuiltArtifacts } from './artifacts';
import { likelyTypos } from './environments';
import { environmentsFileNames, environmentsFilePath, readEnvironments } from './environments-file';
import { stackName } from './names';
import { ThumbnailStack } from './stacks/thumbnail-stack';

/** Files that mean a stack folder has been deployed from: its terraform state, never removed here. */
const holdsState = (dir: string): boolean =>
  existsSync(join(dir, 'terraform.tfstate')) ||
  existsSync(join(dir, '.terraform', 'terraform.tfstate')) ||
  readdirSync(dir).some((name) => name.endsWith('.tfstate') || name.endsWith('.tfstate.backup'));

/**
 * Stack folders of environments that no longer exist (a renamed or misspelled one): removed, unless
 * terraform state lives there, which is said instead.
 */
function removeStaleStacks(current: ReadonlySet<string>) {
  const stacks = join(PATHS.cdktfOut, 'stacks');
  if (!existsSync(stacks)) return;
  for (const name of readdirSync(stacks)) {
    if (current.has(name)) continue;
    const dir = join(stacks, name);
    if (holdsState(dir))
      console.warn(
        `synth: ${relative(ROOT, dir)} belongs to no environment now, and holds terraform state: kept (destroy it with the environment back in place, or remove the folder yourself)`,
      );
    else {
      rmSync(dir, { recursive: true, force: true });
      console.log(`synth: removed ${relative(ROOT, dir)}: no environment of that name any more`);
    }
  }
}

function main() {
  for (const { name, meant } of likelyTypos(environmentsFileNames()))
    console.warn(
      `synth: ${relative(ROOT, environmentsFilePath())} names an environment "${name}": a typo of "${meant}"? It makes a stack of its own, thumbnails-${name}, and leaves ${meant} as the built-ins define it`,
    );
  const environments = readEnvironments();
  const artifacts = readBuiltArtifacts();
  mkdirSync(PATHS.cdktfOut, { recursive: true });
  const app = new App({ outdir: PATHS.cdktfOut, skipValidation: false });
  for (const [name, config] of environments) new ThumbnailStack(app, stackName(name), { config, artifacts });
  app.synth();
  removeStaleStacks(new Set([...environments.keys()].map(stackName)));
  for (const name of environments.keys())
    console.log(`synthesized ${relative(ROOT, join(PATHS.cdktfOut, 'stacks', stackName(name), 'cdk.tf.json'))}`);
}

try {
  main();
} catch (error) {
  console.error(`synth: ${(error as Error).message}`);
  process.exitCode = 1;
}
