import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listHandlers } from '../../lib/handlers';
import { BUDGETS, LAMBDA_LIMITS } from '../../scripts/lib/budgets';
import { unzippedBytes } from '../../scripts/lib/zip';
import { artifacts } from '../support/artifacts';
import { listZip } from '../support/zip-entries';

describe('function zips', () => {
  it('builds one zip for every handler folder', () => {
    expect(listHandlers().map((handler) => handler.name)).toEqual(['calculator', 'thumbnail']);
  });

  it.each(listHandlers().map((handler) => handler.name))(
    '%s.zip holds only the bundle (no source map, no node_modules) within budget',
    async (name) => {
      const zip = readFileSync(artifacts.functionZip(name));
      expect((await listZip(zip)).map((entry) => entry.name)).toEqual(['index.js']);
      expect(zip.byteLength).toBeLessThanOrEqual(BUDGETS.functionZipBytes);
    },
  );

  it("fits with the sharp layer in Lambda's 250 MB unzipped limit", () => {
    const total = unzippedBytes(readFileSync(artifacts.functionZip('thumbnail'))) + unzippedBytes(readFileSync(artifacts.layerZip()));
    expect(total).toBeLessThanOrEqual(LAMBDA_LIMITS.unzippedBytes);
  });

  it('keeps sharp out of the bundle, to be resolved from the layer', () => {
    const bundle = readFileSync('build/functions/thumbnail/index.js', 'utf8');
    expect(bundle).toMatch(/require\("sharp"\)/);
    expect(bundle).not.toMatch(/libvips-cpp/);
  });
});
