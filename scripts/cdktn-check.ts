/**
 * `make cdktn-check`: the migration path from CDK for Terraform (archived in December 2025) to its
 * community fork CDK Terrain, tried on a temporary copy of the project, never on it:
 *
 * 1. the copy's cdktf and @cdktf/provider-aws imports are pointed at cdktn and @cdktn/provider-aws
 *    (the versions pinned in scripts/lib/cdktn-migration.ts, installed from the npm registry);
 * 2. every environment is synthesized there and compared with today's stacks (`make synth`):
 *    only the metadata's version, the provider's source address and its pin may differ, and every
 *    other difference is named;
 * 3. with the provider pin held at today's, `terraform test` (a mock provider) applies today's
 *    stack and plans the migrated one against that state: the plan must say "No changes".
 *
 * Exits non-zero when any of it fails. Leaves nothing behind, also when interrupted.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Command } from 'commander';
import type { StackConfig } from '../infra/config';
import { readEnvironments } from '../infra/environments-file';
import { stackName } from '../infra/names';
import { readJsonFile } from '../lib/json-file';
import { PATHS, ROOT } from '../lib/paths';
import { CDKTN, compareStacks, EXPECTED_DIFFERENCES, rewriteImports, withProviderPinOf } from './lib/cdktn-migration';
import { isMain, runMain } from './lib/cli';
import { compatibleStack } from './lib/provider-compat';
import type { TerraformJson } from './lib/terraform-json';
import { findProviderSource, initArguments, type ProviderSource } from './lib/terraform-providers';
import { checkBinary, PrerequisiteError } from './terraform';
import { adoptedBucketDefaults, expectedValues, withoutPreventDestroy, writeTestMocks } from './validate';

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function must(step: string, result: { ok: boolean; output: string }): string {
  if (!result.ok) throw new Error(`${step} failed:\n${result.output.trim().split('\n').slice(-30).join('\n')}`);
  return result.output;
}

/** The project's files as a fresh clone has them (tracked and new, not ignored), and the built zips synth reads. */
function copyProject(to: string) {
  const files = must('git ls-files', run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT))
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(ROOT, file), join(to, file));
  }
  cpSync(join(ROOT, 'dist'), join(to, 'dist'), { recursive: true });
  return files;
}

/** node_modules for the copy: today's packages (linked), but CDK Terrain's in place of cdktf's, and its constructs. */
function linkModules(project: string, packages: string) {
  const modules = join(project, 'node_modules');
  mkdirSync(modules);
  const replaced = new Set(['cdktf', '@cdktf', 'constructs', '.bin', '.install-stamp', '.package-lock.json']);
  for (const entry of readdirSync(join(ROOT, 'node_modules')))
    if (!replaced.has(entry)) symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  for (const entry of ['cdktn', '@cdktn', 'constructs']) symlinkSync(join(packages, 'node_modules', entry), join(modules, entry));
}

/** Rewrite the imports of every TypeScript file of the copy; returns the files changed. */
function rewriteSources(project: string, files: readonly string[]): string[] {
  const changed: string[] = [];
  for (const file of files.filter((name) => /\.(ts|mts|cts|js|mjs)$/.test(name))) {
    const path = join(project, file);
    const text = readFileSync(path, 'utf8');
    const rewritten = rewriteImports(text);
    if (rewritten !== text) {
      writeFileSync(path, rewritten);
      changed.push(file);
    }
  }
  return changed;
}

/** Apply today's stack with a mock provider, then plan the migrated one against that state: "No changes" or what would change. */
export function planAgainstToday(
  dir: string,
  today: TerraformJson,
  migrated: TerraformJson,
  config: StackConfig,
  assets: string,
  tf: string,
  source: ProviderSource | undefined,
): { empty: boolean; detail: string } {
  const provider = source?.versions[0];
  const prepare = (json: TerraformJson) => {
    const fitted = provider ? compatibleStack(json, provider) : { json, substitutions: [] };
    const released = withoutPreventDestroy(fitted.json);
    return { json: released.json, substitutions: [...fitted.substitutions, ...released.substitutions] };
  };
  const todays = prepare(today);
  const migrateds = prepare(withProviderPinOf(migrated, today));
  for (const [name, json] of [
    ['today', todays.json],
    ['migrated', migrateds.json],
  ] as const) {
    mkdirSync(join(dir, name), { recursive: true });
    cpSync(assets, join(dir, name, 'assets'), { recursive: true });
    writeFileSync(join(dir, name, 'cdk.tf.json'), `${JSON.stringify(json, null, 2)}\n`);
  }
  const expected = expectedValues(config, todays.substitutions);
  mkdirSync(join(dir, 'today', 'tests'));
  writeTestMocks(join(dir, 'today'), expected, provider);
  writeFileSync(
    join(dir, 'today', 'tests', 'migration.tftest.hcl'),
    `mock_provider "aws" {\n  source = "./tests/mocks/aws"\n}\n\n# Today's stack, applied (mocked), then the migrated stack planned against the same state.\nrun "today" {\n  state_key = "shared"\n}\n\nrun "migrated" {\n  command   = plan\n  state_key = "shared"\n  module {\n    source = "../migrated"\n  }\n}\n`,
  );
  // Today's folder last: its init installs the module the test plans (../migrated).
  for (const name of ['migrated', 'today'])
    must(`terraform init (${name})`, run(tf, ['init', '-backend=false', '-input=false', ...initArguments(source)], join(dir, name)));
  const variables = Object.entries(adoptedBucketDefaults(todays.json)).flatMap(([name, value]) => [
    '-var',
    `${name}=${JSON.stringify(value)}`,
  ]);
  const output = must('terraform test', run(tf, ['test', '-verbose', '-no-color', ...variables], join(dir, 'today')));
  const planned = output.slice(output.indexOf('run "migrated"'));
  const empty = /No changes\. Your infrastructure matches the configuration\./.test(planned) && !/^Plan: /m.test(planned);
  const detail = empty
    ? 'No changes'
    : planned
        .split('\n')
        .filter((line) => /^\s*[#~+-]|^Plan: /.test(line))
        .slice(0, 40)
        .join('\n');
  return { empty, detail };
}

async function main(): Promise<number> {
  const program = new Command('cdktn-check')
    .description('Try the move from cdktf to CDK Terrain on a temporary copy: same JSON but for the expected lines, and an empty plan')
    .option('--tf <binary>', 'terraform', 'terraform')
    .option('--keep', 'keep the temporary copy, to look at it', false)
    .parse();
  const options = program.opts<{ tf: string; keep: boolean }>();
  const environments = readEnvironments();
  const stacksDir = join(PATHS.cdktfOut, 'stacks');
  for (const name of environments.keys())
    if (!existsSync(join(stacksDir, stackName(name), 'cdk.tf.json')))
      throw new PrerequisiteError(`${relative(ROOT, join(stacksDir, stackName(name)))} is missing: run \`make synth\` first`);
  console.log(`using ${checkBinary(options.tf)}`);
  const source = findProviderSource();

  const tmp = mkdtempSync(join(tmpdir(), 'cdktn-check-'));
  const cleanUp = () => {
    if (!options.keep) rmSync(tmp, { recursive: true, force: true });
  };
  const interrupted = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const packages = join(tmp, 'packages');
    const specs = Object.entries(CDKTN.versions).map(([name, version]) => `${name}@${version}`);
    console.log(`1. installing ${specs.join(', ')} from the npm registry`);
    must(
      'npm install',
      run(
        'npm',
        [
          'install',
          '--prefix',
          packages,
          '--no-save',
          '--no-package-lock',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          ...specs,
        ],
        ROOT,
      ),
    );
    const project = join(tmp, 'project');
    const files = copyProject(project);
    linkModules(project, packages);
    const changed = rewriteSources(project, files);
    console.log(`   a copy of the project in ${tmp}: ${changed.length} files' imports now name cdktn and @cdktn/provider-aws`);
    const left = files.filter(
      (file) => /\.(ts|mts)$/.test(file) && /from ['"](cdktf|@cdktf\/)/.test(readFileSync(join(project, file), 'utf8')),
    );
    if (left.length > 0) throw new Error(`imports of cdktf left in: ${left.join(', ')}`);

    console.log('2. synthesizing every environment with CDK Terrain');
    must('synth (cdktn)', run(process.execPath, ['--import', 'tsx', 'infra/main.ts'], project));
    let failed = false;
    for (const [name, config] of environments) {
      const stack = stackName(name);
      const today = readJsonFile(join(stacksDir, stack, 'cdk.tf.json'), { missingHint: 'run `make synth`' }) as TerraformJson;
      const migrated = readJsonFile(join(project, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), {
        missingHint: 'the CDK Terrain synth wrote no such stack',
      }) as TerraformJson;
      const { expected, unexpected } = compareStacks(today, migrated);
      console.log(
        `   ${stack}: ${expected.length} expected difference(s)${unexpected.length > 0 ? `, ${unexpected.length} unexpected` : ', nothing else'}`,
      );
      for (const line of expected) console.log(`     expected  ${line}`);
      for (const line of unexpected) console.log(`     UNEXPECTED ${line}`);
      if (unexpected.length > 0) failed = true;

      const plan = planAgainstToday(
        join(tmp, 'plan', stack),
        today,
        migrated,
        config,
        join(stacksDir, stack, 'assets'),
        options.tf,
        source,
      );
      console.log(
        `3. ${stack}: the migrated stack planned against today's state (provider pin held at today's): ${plan.empty ? 'No changes' : 'CHANGES'}`,
      );
      if (!plan.empty) {
        console.log(plan.detail);
        failed = true;
      }
    }
    console.log('');
    console.log(
      failed
        ? 'cdktn-check: FAILED (see above)'
        : `cdktn-check: ok. Switching to CDK Terrain changes only: ${EXPECTED_DIFFERENCES.map((difference) => difference.why).join('; ')}.`,
    );
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    if (options.keep) console.log(`kept ${tmp}`);
    cleanUp();
  }
}

if (isMain(import.meta.url)) runMain('cdktn-check', main);
