import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths';
import { checkBinary, PrerequisiteError } from '../../scripts/terraform';
import { tempDir } from '../support/tmp';

const dir = tempDir('tf');

/** The environment of a machine without AWS credentials (and without an instance metadata service to ask). */
function withoutCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return { ...env, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
}

describe('checkBinary', () => {
  it('explains how to get terraform or OpenTofu when the binary is missing', () => {
    expect(() => checkBinary('no-such-terraform-binary')).toThrow(PrerequisiteError);
    expect(() => checkBinary('no-such-terraform-binary')).toThrow(/Install Terraform >= 1.10 .* or OpenTofu .* TF=tofu/);
  });
});

describe('make plan / deploy / destroy without prerequisites', () => {
  it.each(['plan', 'deploy', 'destroy'])('make %s stops with a clear message when terraform is missing', (target) => {
    const result = spawnSync('make', [target, 'TF=no-such-terraform-binary'], { cwd: ROOT, encoding: 'utf8', env: withoutCredentials() });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/"no-such-terraform-binary" was not found or does not run/);
    expect(result.stderr).toMatch(/Nothing was changed/);
  });

  it('make deploy stops with a clear message when there are no AWS credentials', () => {
    const fake = join(dir, 'terraform');
    writeFileSync(fake, '#!/bin/sh\necho "Terraform v1.10.5"\n[ "$1" = version ] || { echo "must not run: $*" >&2; exit 99; }\n');
    chmodSync(fake, 0o755);
    const result = spawnSync('make', ['deploy', `TF=${fake}`], { cwd: ROOT, encoding: 'utf8', env: withoutCredentials() });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no AWS credentials found/);
    expect(result.stderr).not.toMatch(/must not run/);
  });
});
