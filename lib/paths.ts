/** Where the build puts things: under the repository root, unless the environment moves them. */

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const PATHS = {
  handlers: join(ROOT, 'handlers'),
  /** esbuild output per handler: index.js and its source map (the map stays out of the zip). */
  build: join(ROOT, 'build', 'functions'),
  layerStaging: join(ROOT, 'build', 'layer'),
  /** The Lambda runtime's Node.js major, for running packaged functions locally (`make lambda-node`). */
  lambdaNode: join(ROOT, 'build', 'lambda-node'),
  layerSource: join(ROOT, 'layer'),
  functionZips: join(ROOT, 'dist', 'functions'),
  /** Synthesized stacks; CDKTF_OUTDIR moves them (the tests synthesize outside the checkout). */
  cdktfOut: resolve(process.env['CDKTF_OUTDIR'] ?? join(ROOT, 'cdktf.out')),
  /** make local's S3 objects and queues; LOCAL_DATA_DIR moves them. */
  local: resolve(process.env['LOCAL_DATA_DIR'] ?? join(ROOT, '.local')),
} as const;

export const functionZipPath = (name: string) => join(PATHS.functionZips, `${name}.zip`);

/** Real third-party files beside the checkout (../shared/fixtures, or SHARED_FIXTURES_DIR), never copied in. */
export const sharedFixturesDir = (kind: 'images' | 'plans') =>
  join(resolve(process.env['SHARED_FIXTURES_DIR'] ?? join(ROOT, '..', 'shared', 'fixtures')), kind);
