import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listHandlers } from '../../lib/handlers';
import { ROOT } from '../../lib/paths';
import { BUDGETS, LAMBDA_LIMITS } from '../../scripts/lib/budgets';
import { unzippedBytes } from '../../scripts/lib/zip';
import { artifacts } from '../support/artifacts';
import { tempDir } from '../support/tmp';
import { listZip } from '../support/zip-entries';

describe('function zips', () => {
  it('builds one zip for every handler folder', () => {
    expect(listHandlers().map((handler) => handler.name)).toEqual(['calculator', 'thumbnail']);
  });

  it.each([
    ['calculator', ['index.js']],
    ['thumbnail', ['client-sqs.js', 'index.js']],
  ])('%s.zip holds only the bundle and its lazy chunks (no source map, no node_modules) within budget', async (name, files) => {
    const zip = readFileSync(artifacts.functionZip(name));
    expect((await listZip(zip)).map((entry) => entry.name)).toEqual(files);
    expect(zip.byteLength).toBeLessThanOrEqual(BUDGETS.functionZipBytes);
  });

  it('keeps the SQS client out of the bundle every cold start parses: required from its own file on the first failure', () => {
    const bundle = readFileSync('build/functions/thumbnail/index.js', 'utf8');
    expect(bundle).toMatch(/require\("\.\/client-sqs\.js"\)/);
    expect(bundle).not.toContain('AmazonSQS');
    // CommonJS, as Lambda loads it (this repository's package.json says "module": copy it out as .cjs).
    const copy = join(tempDir('chunk'), 'client-sqs.cjs');
    copyFileSync(join(ROOT, 'build/functions/thumbnail/client-sqs.js'), copy);
    const chunk = createRequire(import.meta.url)(copy);
    expect([typeof chunk.SQSClient, typeof chunk.SendMessageCommand]).toEqual(['function', 'function']);
  });

  it("bundles only Lambda's credential sources, not the SDK's whole default chain", () => {
    const bundle = readFileSync('build/functions/thumbnail/index.js', 'utf8');
    expect(bundle).toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    for (const unused of ['fromSSO', 'fromIni', 'fromProcess', 'fromTokenFile', 'credential-provider-imds'])
      expect(bundle).not.toContain(unused);
  });

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
