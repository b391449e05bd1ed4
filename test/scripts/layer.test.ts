import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURES, type Architecture, layerArchitecture, layerZipPath, NODE_CPU } from '../../lib/architectures';
import { ROOT } from '../../lib/paths';
import { isPrunable, LAYER_PREFIX, projectSharpVersion, requiredPackages } from '../../scripts/layer';
import { BUDGETS, LAMBDA_LIMITS } from '../../scripts/lib/budgets';
import { artifacts } from '../support/artifacts';
import { listZip, S_IFLNK, S_IFMT, type ZipEntryInfo } from '../support/zip-entries';

describe('isPrunable', () => {
  it.each([
    ['sharp/README.md', true],
    ['sharp/dist/index.d.cts', true],
    ['sharp/src/pipeline.cc', true],
    ['sharp/install/check.js', true],
    ['@img/sharp-libvips-linux-x64/lib/glib-2.0/include/glibconfig.h', true],
    ['.package-lock.json', true],
    ['semver/bin/semver.js', true],
    ['sharp/LICENSE', false],
    ['@img/colour/LICENSE.md', false],
    ['sharp/dist/index.cjs', false],
    ['sharp/package.json', false],
    ['@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7', false],
    ['@img/sharp-libvips-linux-x64/versions.json', false],
  ])('%s -> %s', (path, prunable) => {
    expect(isPrunable(path)).toBe(prunable);
  });
});

const built = ARCHITECTURES.filter((architecture) => architecture === 'x86_64' || existsSync(layerZipPath(architecture)));
for (const architecture of ARCHITECTURES.filter((candidate) => !built.includes(candidate)))
  console.warn(`[skip] no ${architecture} layer built (make layer ARCH=${architecture}): its checks are skipped`);

describe.each(built)('the sharp layer zip for %s', (architecture: Architecture) => {
  let entries: ZipEntryInfo[];
  let zipBytes: number;
  let zip: Buffer;
  const cpu = NODE_CPU[architecture];
  const other = cpu === 'x64' ? 'arm64' : 'x64';

  beforeAll(async () => {
    zip = readFileSync(artifacts.layerZip(architecture));
    zipBytes = zip.byteLength;
    entries = await listZip(zip);
  });

  it('is recognised as built for its architecture, from its contents', () => {
    expect(layerArchitecture(zip)).toBe(architecture);
  });

  it('puts everything under nodejs/node_modules, where Lambda looks', () => {
    expect(entries.every((entry) => entry.name.startsWith(`${LAYER_PREFIX}/`))).toBe(true);
  });

  it('contains sharp and its platform packages', () => {
    for (const name of requiredPackages(architecture))
      expect(entries.some((entry) => entry.name === `${LAYER_PREFIX}/${name}/package.json`)).toBe(true);
  });

  it(`carries the linux-${cpu} native binaries, and no other platform's`, () => {
    expect(entries.some((entry) => new RegExp(`@img/sharp-linux-${cpu}/lib/sharp-linux-${cpu}-.*\\.node$`).test(entry.name))).toBe(true);
    expect(entries.some((entry) => new RegExp(`@img/sharp-libvips-linux-${cpu}/lib/libvips-cpp\\.so`).test(entry.name))).toBe(true);
    expect(entries.some((entry) => new RegExp(`darwin|win32|musl|linux-${other}`).test(entry.name))).toBe(false);
  });

  it('has no symlinks, package locks, docs or headers', () => {
    expect(entries.filter((entry) => (entry.mode & S_IFMT) === S_IFLNK)).toEqual([]);
    expect(entries.filter((entry) => isPrunable(entry.name.slice(LAYER_PREFIX.length + 1))).map((entry) => entry.name)).toEqual([]);
  });

  it('has the exact sharp version the project pins, as layer/package.json and its lock do', () => {
    const pinned = projectSharpVersion();
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const layerPackage = JSON.parse(readFileSync(join(ROOT, 'layer', 'package.json'), 'utf8'));
    const layerLock = JSON.parse(readFileSync(join(ROOT, 'layer', 'package-lock.json'), 'utf8'));
    expect(layerPackage.dependencies.sharp).toBe(pinned);
    expect(layerLock.packages['node_modules/sharp'].version).toBe(pinned);
  });

  it('fits the budget and Lambda limits', () => {
    const unzipped = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    expect(zipBytes).toBeLessThanOrEqual(BUDGETS.layerZipBytes);
    expect(unzipped).toBeLessThanOrEqual(LAMBDA_LIMITS.unzippedBytes);
  });
});
