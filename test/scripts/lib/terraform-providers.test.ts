import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsProviderVersions, cliConfigMirrors, findProviderSource, initArguments } from '../../../scripts/lib/terraform-providers';
import { tempDir } from '../../support/tmp';

function mirrorWith(...versions: string[]): string {
  const dir = tempDir('mirror');
  for (const version of versions)
    mkdirSync(join(dir, 'registry.terraform.io', 'hashicorp', 'aws', version, 'linux_amd64'), { recursive: true });
  return dir;
}

describe('awsProviderVersions', () => {
  it('lists the versions of an unpacked mirror, newest first', () => {
    expect(awsProviderVersions(mirrorWith('5.9.0', '5.100.0', '6.25.0'))).toEqual(['6.25.0', '5.100.0', '5.9.0']);
  });

  it('finds none where there is no mirror', () => {
    expect(awsProviderVersions(tempDir('empty'))).toEqual([]);
  });
});

describe('cliConfigMirrors', () => {
  it('reads the filesystem mirrors of provider_installation', () => {
    const config = `provider_installation {\n  filesystem_mirror {\n    path    = "/srv/terraform/providers"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`;
    expect(cliConfigMirrors(config)).toEqual(['/srv/terraform/providers']);
  });
});

describe('findProviderSource', () => {
  it('prefers TF_PLUGIN_DIR, passed to init as -plugin-dir', () => {
    const dir = mirrorWith('5.100.0');
    const source = findProviderSource({ TF_PLUGIN_DIR: dir, TF_CLI_CONFIG_FILE: '/nonexistent' });
    expect(source).toEqual({ kind: 'plugin-dir', dir, versions: ['5.100.0'] });
    expect(initArguments(source)).toEqual([`-plugin-dir=${dir}`]);
  });

  it("uses the CLI config's mirror otherwise, which terraform reads by itself", () => {
    const dir = mirrorWith('6.25.0');
    const config = join(tempDir('config'), 'terraformrc');
    writeFileSync(config, `provider_installation {\n  filesystem_mirror {\n    path = "${dir}"\n  }\n}\n`);
    const source = findProviderSource({ TF_CLI_CONFIG_FILE: config });
    expect(source).toMatchObject({ kind: 'cli-config mirror', dir, versions: ['6.25.0'] });
    expect(initArguments(source)).toEqual([]);
  });
});
