import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../lib/paths';
import { esbuildOptions } from '../../../scripts/build';
import { tempDir } from '../../support/tmp';

// make bench compares our cold start with this handler's: it must be bundled exactly as ours is.
describe('the cold start reference handler', () => {
  it('bundles like the real handlers: CommonJS, the S3 client inside, sharp left to the layer', async () => {
    const outfile = join(tempDir('reference'), 'index.js');
    await build(esbuildOptions(join(ROOT, 'scripts', 'bench', 'reference-handler.ts'), outfile));
    const bundle = readFileSync(outfile, 'utf8');
    expect(bundle).toMatch(/require\("sharp"\)/);
    expect(bundle).not.toMatch(/require\("@aws-sdk\/client-s3"\)/);
    expect(bundle).toContain('GetObjectCommand');
    expect(bundle).toMatch(/module\.exports/);
  });
});
