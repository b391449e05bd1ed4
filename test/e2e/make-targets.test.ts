// Every test that runs make lives in this one file, so they never write cdktf.out or .local at the same time.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';
import { tempDir } from '../support/tmp';

const dir = tempDir('make');

const make = (...args: string[]) => spawnSync('make', ['--no-print-directory', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

/** The environment of a machine without AWS credentials (and without an instance metadata service to ask). */
function withoutCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return { ...env, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
}

describe('make local', () => {
  it('uploads the samples, prints the table, and exits 0 when every upload ended where it should', () => {
    const result = make('local', 'ARGS=--duplicate-rate 0.3');
    expect(result.stderr).not.toMatch(/did not end where they should/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/samples\/写真\/東京タワー-thumbnail\.jpg/);
    expect(result.stdout).toMatch(/samples\/portrait phone \(EXIF 6\)-thumbnail\.jpg\s*│\s*100x133/);
    expect(result.stdout).toMatch(/refused: UnsupportedFormatError/);
    expect(result.stdout).toMatch(/10 thumbnails, 2 refused and recorded/);
  });

  it('leaves the two refused samples in the failure queue, which make redrive LOCAL=1 --dry-run lists', () => {
    const result = make('redrive', 'LOCAL=1', 'ARGS=--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/waiting in the failure queue: 2/);
    expect(result.stdout).toMatch(/UnsupportedFormatError \(PermanentFailure\): samples\/not-really\.jpg/);
    expect(result.stdout).toMatch(/CorruptImageError \(PermanentFailure\): samples\/broken\.jpg/);
  });
});

describe('make invoke', () => {
  it('runs the calculator with the example event and prints {"result": 5}', () => {
    const result = make('invoke', 'FUNCTION=calculator', 'EVENT=events/calculator.json');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"result": 5/);
    expect(result.stdout).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tMemory Size: 128 MB/);
  });

  it('exits 1 and prints the error for y = 0', () => {
    const result = make('invoke', 'FUNCTION=calculator', 'EVENT=events/calculator-divide-by-zero.json');
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/"errorType": "DivisionByZeroError"/);
  });

  it('runs the thumbnail function with the "Amazon S3 Put" example event, filling in the local bucket', () => {
    const result = make('invoke', 'EVENT=events/s3-put.json');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"thumbnail written"/);
    expect(result.stdout).toMatch(/samples\/landscape-thumbnail\.jpg/);
  });

  it('says so when the event file does not exist', () => {
    const result = make('invoke', 'EVENT=events/nope.json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/event file events\/nope\.json does not exist/);
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

describe('make plan-summary', () => {
  it('prints the Markdown summary of a plan JSON', () => {
    const file = join(dir, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'aws_s3_bucket.b',
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'b',
            change: { actions: ['delete'], before: {}, after: null },
          },
        ],
      }),
    );
    const result = make('plan-summary', `PLAN=${file}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/> \[!WARNING\]/);
    expect(result.stdout).toMatch(/0 to create, 0 to update, 0 to replace, 1 to delete/);
  });

  it.each([
    ['a missing file', 'nope.json', /does not exist/],
    ['a file that is not a plan', 'package.json', /not a Terraform plan/],
  ])('says so for %s', (_, plan, message) => {
    const result = make('plan-summary', `PLAN=${plan}`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('asks for PLAN when it is missing', () => {
    const result = make('plan-summary');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/usage: make plan-summary PLAN=/);
  });
});

describe('make plan and make apply-plan with a terraform binary', () => {
  // A stand-in terraform that records its arguments and answers `show -json` with a plan.
  function fakeTerraform() {
    const log = join(dir, 'terraform-calls.log');
    const fake = join(dir, 'fake-terraform');
    const planJson = JSON.stringify({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_s3_bucket.originals',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'originals',
          change: { actions: ['create'], before: null, after: {} },
        },
      ],
    });
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        `echo "$*" >> '${log}'`,
        'case "$1" in',
        '  version) echo "Terraform v1.10.5" ;;',
        '  plan) for a in "$@"; do case "$a" in -out=*) echo binary > "${a#-out=}" ;; esac; done ;;',
        `  show) echo '${planJson}' ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    return { fake, log };
  }
  const withCredentials = () => ({ ...withoutCredentials(), AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' });

  it('runs init, plan -out=tfplan and show -json in the stack folder, and writes plan.json and plan.md', () => {
    const { fake, log } = fakeTerraform();
    const result = spawnSync('make', ['--no-print-directory', 'plan', `TF=${fake}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: withCredentials(),
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toEqual(['version', 'init -input=false', 'plan -input=false -out=tfplan', 'show -json tfplan']);
    const stack = join(ROOT, 'cdktf.out', 'stacks', 'thumbnails-dev');
    expect(JSON.parse(readFileSync(join(stack, 'plan.json'), 'utf8')).format_version).toBe('1.2');
    expect(readFileSync(join(stack, 'plan.md'), 'utf8')).toMatch(/### Plan for thumbnails-dev\n\n\*\*Plan:\*\* 1 to create/);
    expect(result.stdout).toMatch(/wrote cdktf\.out\/stacks\/thumbnails-dev\/tfplan, plan\.json and plan\.md/);
  });

  it('applies exactly the saved plan', () => {
    const { fake, log } = fakeTerraform();
    const result = spawnSync('make', ['--no-print-directory', 'apply-plan', `TF=${fake}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: withCredentials(),
    });
    expect(result.status).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n').slice(-3)).toEqual(['init -input=false', 'apply -input=false tfplan', 'output']);
  });
});
