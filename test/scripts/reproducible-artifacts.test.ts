// Same sources, two checkouts in different directories (one with a space), different time zones and
// umasks: the function zips, the layer zip and the synthesized Terraform JSON must be byte-identical,
// hold no absolute path, and identify each zip by its content.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../lib/architectures';
import { ROOT } from '../../lib/paths';
import { tempDir } from '../support/tmp';

interface Checkout {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly umask: string;
}

const bases = { a: tempDir('checkout-a'), b: tempDir('checkout-b') };

function checkout(name: 'a' | 'b', env: Record<string, string>, umask: string): Checkout {
  const dir = join(mkdtempSync(join(bases[name], 'x-')), `repo ${name}`);
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  // Hard links: the same installed packages, seen from another path.
  const linked = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
  if (linked.status !== 0) throw new Error('cp -al node_modules failed');
  return { dir, env, umask };
}

function build(target: Checkout) {
  const steps = [
    'scripts/build.ts',
    ...ARCHITECTURES.map((architecture) => `scripts/layer.ts --arch ${architecture}`),
    'scripts/zip-functions.ts',
    'infra/main.ts',
  ];
  for (const script of steps) {
    const result = spawnSync('bash', ['-c', `umask ${target.umask} && "${process.execPath}" --import tsx ${script}`], {
      cwd: target.dir,
      // Each checkout builds into itself, whatever this process's CDKTF_OUTDIR or LOCAL_DATA_DIR.
      env: { ...process.env, CDKTF_OUTDIR: join(target.dir, 'cdktf.out'), LOCAL_DATA_DIR: join(target.dir, '.local'), ...target.env },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`${script} failed in ${target.dir}: ${result.stderr}`);
  }
}

const read = (target: Checkout, path: string) => readFileSync(join(target.dir, path));
const sha256Base64 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

let a: Checkout;
let b: Checkout;

beforeAll(() => {
  a = checkout('a', { TZ: 'Pacific/Kiritimati', LANG: 'C' }, '022');
  b = checkout('b', { TZ: 'America/Los_Angeles', LANG: 'ja_JP.UTF-8' }, '077');
  build(a);
  build(b);
}, 600_000);

describe('reproducible artifacts', () => {
  it.each(['calculator', 'thumbnail'])('builds a byte-identical %s.zip in both checkouts', (name) => {
    expect(sha256Base64(read(a, `dist/functions/${name}.zip`))).toBe(sha256Base64(read(b, `dist/functions/${name}.zip`)));
  });

  it.each(ARCHITECTURES)('builds a byte-identical %s layer zip in both checkouts', (architecture) => {
    const zip = `dist/layers/${architecture}/sharp.zip`;
    expect(sha256Base64(read(a, zip))).toBe(sha256Base64(read(b, zip)));
  });

  const stacks = () => readdirSync(join(a.dir, 'cdktf.out', 'stacks')).sort();

  it('synthesizes byte-identical Terraform JSON in both checkouts', () => {
    expect(stacks()).toEqual(['thumbnails-adopted', 'thumbnails-dev', 'thumbnails-localstack', 'thumbnails-prod']);
    for (const stack of stacks()) {
      expect(read(a, `cdktf.out/stacks/${stack}/cdk.tf.json`).equals(read(b, `cdktf.out/stacks/${stack}/cdk.tf.json`))).toBe(true);
    }
  });

  it('puts no absolute path in the Terraform JSON', () => {
    for (const stack of stacks()) {
      const text = read(a, `cdktf.out/stacks/${stack}/cdk.tf.json`).toString('utf8');
      for (const forbidden of [a.dir, ROOT, tmpdir(), '/home/', '/root/', '/Users/']) expect(text).not.toContain(forbidden);
      const paths = [...text.matchAll(/"(?:filename|path)": "([^"]+)"/g)].map((match) => match[1] as string);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).not.toMatch(/^\//);
    }
  });

  it('identifies every zip by its content, so an unchanged function plans as a no-op', () => {
    const json = JSON.parse(read(a, 'cdktf.out/stacks/thumbnails-dev/cdk.tf.json').toString('utf8'));
    const zipped = [
      ...Object.values(json.resource.aws_lambda_function as Record<string, { filename: string; source_code_hash: string }>),
      ...Object.values(json.resource.aws_lambda_layer_version as Record<string, { filename: string; source_code_hash: string }>),
    ];
    expect(zipped).toHaveLength(3);
    for (const { filename, source_code_hash } of zipped) {
      expect(source_code_hash).toBe(sha256Base64(read(a, `cdktf.out/stacks/thumbnails-dev/${filename}`)));
    }
  });
});
