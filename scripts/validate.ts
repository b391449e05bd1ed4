/**
 * `make validate`: the synthesized stacks against the AWS provider's real schema, offline. For
 * every environment, in a temporary copy of its stack folder: `terraform init` (from a plugin
 * directory or mirror when there is one), `terraform validate`, and `terraform test` with the HCL
 * tests of infra/tests, which mock-apply the stack and check it against the environment's config.
 * When the provider available is older than the stack requires, the copy is made to fit it and
 * every substitution is printed; the synthesized JSON itself is never changed.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Command } from 'commander';
import { adoptedBucketOf, LAMBDA_RUNTIME, type StackConfig } from '../infra/config';
import { readEnvironments } from '../infra/environments-file';
import { ADOPTED_BUCKET_VARIABLES, stackName } from '../infra/names';
import { readJsonFile } from '../lib/json-file';
import { PATHS, ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';
import { compatibleStack, compatibleText, describeSubstitution, type Substitution } from './lib/provider-compat';
import type { TerraformJson } from './lib/terraform-json';
import { findProviderSource, initArguments, type ProviderSource } from './lib/terraform-providers';
import { checkBinary, PrerequisiteError } from './terraform';

const TESTS_DIR = join(ROOT, 'infra', 'tests');
/** The provider mocks the test files share (`mock_provider "aws" { source = "./tests/mocks/aws" }`). */
const MOCKS_DIR = join(TESTS_DIR, 'mocks');

/** The values the HCL tests check the stack against, as `terraform test -var` arguments (JSON is valid HCL). */
export function expectedValues(config: StackConfig, substitutions: readonly Substitution[]): Record<string, unknown> {
  const runtime = substitutions.find((substitution) => substitution.from === LAMBDA_RUNTIME)?.to ?? LAMBDA_RUNTIME;
  const adopted = adoptedBucketOf(config);
  return {
    expected_runtime: runtime,
    expected_architecture: config.architecture,
    expected_memory_mb: config.thumbnail.memoryMB,
    expected_timeout_seconds: config.thumbnail.timeoutSeconds,
    expected_suffixes: config.thumbnail.triggerSuffixes,
    expected_delete_rule: config.thumbnail.deleteWithOriginals,
    expected_renditions: JSON.stringify(config.thumbnail.renditions),
    expected_log_retention_days: config.logRetentionDays,
    expected_reserved_concurrency: config.thumbnail.reservedConcurrency ?? null,
    expected_max_retries: config.asyncInvoke.maximumRetryAttempts,
    expected_name_prefix: config.namePrefix,
    expected_error_threshold: config.alarms.errorThreshold,
    expected_region: config.region,
    expected_adopted_bucket: adopted?.name ?? null,
    expected_adopted_prefix: adopted?.prefix ?? null,
    expected_kms_key_arn: adopted?.kmsKeyArn ?? null,
  };
}

/**
 * A test file with `@expected_<name>@` replaced by that expected value: for the places HCL reads no
 * variable (override and mock values), where the others come in as var.expected_<name>.
 */
export function withExpectedValues(hcl: string, expected: Record<string, unknown>): string {
  return hcl.replace(/@(expected_[a-z_]+)@/g, (placeholder, name: string) => {
    if (!(name in expected)) throw new Error(`${placeholder}: no such expected value (there are ${Object.keys(expected).join(', ')})`);
    return String(expected[name]);
  });
}

/**
 * The shared provider mocks (infra/tests/mocks), into `tests/mocks` of a stack copy, with the
 * expected values written in and fitted to the provider at hand, as the test files are.
 */
export function writeTestMocks(copy: string, expected: Record<string, unknown>, provider: string | undefined): Substitution[] {
  const substitutions: Substitution[] = [];
  const files = readdirSync(MOCKS_DIR, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tfmock.hcl'));
  for (const name of files) {
    const text = withExpectedValues(readFileSync(join(MOCKS_DIR, name), 'utf8'), expected);
    const fitted = provider ? compatibleText(text, provider) : { text, substitutions: [] };
    substitutions.push(...fitted.substitutions.map((substitution) => ({ ...substitution, path: `infra/tests/mocks/${name}` })));
    const target = join(copy, 'tests', 'mocks', name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, fitted.text);
  }
  return substitutions;
}

const ADDRESS = /(?<![\w.-])((?:data\.)?aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b/g;

/** The resource and data source addresses a test file names: it applies to a stack only if the stack has them all. */
export function referencedAddresses(hcl: string): string[] {
  return [...new Set([...hcl.replace(/#.*$/gm, '').matchAll(ADDRESS)].map((match) => `${match[1]}.${match[2]}`))];
}

export function testFilesFor(json: TerraformJson, files: readonly { name: string; text: string }[]) {
  const has = (address: string) => {
    const parts = address.split('.');
    const [type = '', name = ''] = parts[0] === 'data' ? parts.slice(1) : parts;
    return (parts[0] === 'data' ? json.data : json.resource)?.[type]?.[name] !== undefined;
  };
  return files.map((file) => ({ ...file, missing: referencedAddresses(file.text).filter((address) => !has(address)) }));
}

/**
 * What the stack's adopted-bucket variables hold for a test run unless a test says otherwise: the
 * bucket as `make plan` would find it ready (EventBridge on, no other notifications).
 */
export function adoptedBucketDefaults(json: TerraformJson): Record<string, unknown> {
  const declared = (json as { variable?: Record<string, unknown> }).variable ?? {};
  return {
    ...(ADOPTED_BUCKET_VARIABLES.eventBridge in declared ? { [ADOPTED_BUCKET_VARIABLES.eventBridge]: true } : {}),
    ...(ADOPTED_BUCKET_VARIABLES.notifications in declared
      ? { [ADOPTED_BUCKET_VARIABLES.notifications]: { eventbridge: false, lambda_function: [], queue: [], topic: [] } }
      : {}),
  };
}

/**
 * The stack as `terraform test` can run it: `terraform test` destroys what each file applied, which
 * a resource with prevent_destroy refuses (an adopted bucket's notification), so the copy lets it go.
 */
export function withoutPreventDestroy(json: TerraformJson): { json: TerraformJson; substitutions: Substitution[] } {
  const substitutions: Substitution[] = [];
  const resource = Object.fromEntries(
    Object.entries(json.resource).map(([type, blocks]) => [
      type,
      Object.fromEntries(
        Object.entries(blocks).map(([name, body]) => {
          const lifecycle = body['lifecycle'] as Record<string, unknown> | undefined;
          if (lifecycle?.['prevent_destroy'] !== true) return [name, body];
          substitutions.push({
            path: `resource.${type}.${name}.lifecycle.prevent_destroy`,
            from: 'true',
            to: 'false',
            reason: 'terraform test destroys what it applies',
          });
          return [name, { ...body, lifecycle: { ...lifecycle, prevent_destroy: false } }];
        }),
      ),
    ]),
  );
  return { json: { ...json, resource }, substitutions };
}

interface StepResult {
  readonly ok: boolean;
  readonly output: string;
}

function step(tf: string, args: readonly string[], cwd: string): StepResult {
  const result = spawnSync(tf, [...args, '-no-color'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Terraform's warning about a CLI config file that does not exist (TF_CLI_CONFIG_FILE set, no file) is noise here. */
const MISSING_CLI_CONFIG = /There are some problems with the CLI configuration:\n(?:[│╷╵].*\n?)+/g;

const quiet = (output: string) =>
  output
    .replace(MISSING_CLI_CONFIG, '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');

export interface ValidateResult {
  readonly environment: string;
  readonly ok: boolean;
  readonly substitutions: readonly Substitution[];
  readonly tests: string;
}

function validateStack(
  environment: string,
  config: StackConfig,
  tf: string,
  source: ProviderSource | undefined,
  keep: boolean,
): ValidateResult {
  const stack = stackName(environment);
  const stackDir = join(PATHS.cdktfOut, 'stacks', stack);
  const original = readJsonFile(join(stackDir, 'cdk.tf.json'), { missingHint: 'run `make synth`' }) as TerraformJson;
  const provider = source?.versions[0];
  const fitted = provider ? compatibleStack(original, provider) : { json: original, substitutions: [] };
  const { json, substitutions: releases } = withoutPreventDestroy(fitted.json);
  const substitutions = [...fitted.substitutions, ...releases];
  const copy = mkdtempSync(join(tmpdir(), `validate-${stack}-`));
  try {
    cpSync(join(stackDir, 'assets'), join(copy, 'assets'), { recursive: true });
    writeFileSync(join(copy, 'cdk.tf.json'), `${JSON.stringify(json, null, 2)}\n`);
    console.log(
      `\n${stack}: a copy in ${copy}${substitutions.length > 0 ? `, with ${substitutions.length} substitution(s) for provider ${provider}:` : ''}`,
    );
    for (const substitution of substitutions) console.log(`  substituted ${describeSubstitution(substitution)}`);

    const files = readdirSync(TESTS_DIR)
      .filter((name) => name.endsWith('.tftest.hcl'))
      .sort()
      .map((name) => ({ name, text: readFileSync(join(TESTS_DIR, name), 'utf8') }));
    mkdirSync(join(copy, 'tests'));
    const expected = expectedValues(config, substitutions);
    for (const substitution of writeTestMocks(copy, expected, provider))
      console.log(`  substituted in ${substitution.path}: ${substitution.from} -> ${substitution.to} (${substitution.reason})`);
    for (const file of testFilesFor(json, files)) {
      if (file.missing.length > 0) console.log(`  skipping infra/tests/${file.name}: this stack has no ${file.missing[0]}`);
      else {
        const text = withExpectedValues(file.text, expected);
        const fitted = provider ? compatibleText(text, provider) : { text, substitutions: [] };
        for (const substitution of fitted.substitutions)
          console.log(`  substituted in infra/tests/${file.name}: ${substitution.from} -> ${substitution.to} (${substitution.reason})`);
        writeFileSync(join(copy, 'tests', file.name), fitted.text);
      }
    }

    const variables = Object.entries({ ...expected, ...adoptedBucketDefaults(json) }).flatMap(([name, value]) => [
      '-var',
      `${name}=${JSON.stringify(value)}`,
    ]);
    const steps: [string, string[]][] = [
      ['init', ['init', '-backend=false', '-input=false', ...initArguments(source)]],
      ['validate', ['validate']],
      ['test', ['test', ...variables]],
    ];
    let tests = '';
    for (const [name, args] of steps) {
      const started = performance.now();
      const result = step(tf, args, copy);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (!result.ok) {
        console.log(`  ${name}: FAILED (${seconds} s)\n${quiet(result.output)}`);
        return { environment, ok: false, substitutions, tests };
      }
      if (name === 'test') tests = /(\d+ passed, \d+ failed)/.exec(result.output)?.[1] ?? '';
      console.log(`  ${name}: ok (${seconds} s)${name === 'test' ? `, ${tests}` : ''}`);
    }
    return { environment, ok: true, substitutions, tests };
  } finally {
    if (keep) console.log(`  kept ${copy}`);
    else rmSync(copy, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const program = new Command('validate')
    .description('terraform init, validate and test (mock apply) for every synthesized environment, offline')
    .option('--env <names...>', 'only these environments (default: all)')
    .option('--tf <binary>', 'terraform (OpenTofu has no mock providers before 1.8)', 'terraform')
    .option('--keep', 'keep the temporary copies, to look at them', false)
    .option('--skip-without-terraform', 'succeed, saying so, when there is no terraform binary (make test on a machine without it)', false)
    .parse();
  const options = program.opts<{ env?: string[]; tf: string; keep: boolean; skipWithoutTerraform: boolean }>();
  const environments = readEnvironments();
  const names = options.env ?? [...environments.keys()];
  for (const name of names)
    if (!environments.has(name))
      throw new PrerequisiteError(`unknown environment "${name}": use one of ${[...environments.keys()].join(', ')}`);
  if (options.skipWithoutTerraform && spawnSync(options.tf, ['version']).status !== 0) {
    console.log(
      `[skip] make validate: "${options.tf}" does not run here; install Terraform >= 1.10 to check the stacks against the provider's schema`,
    );
    return 0;
  }
  console.log(`using ${checkBinary(options.tf)}`);
  const source = findProviderSource();
  if (source && source.versions.length === 0) throw new PrerequisiteError(`${source.dir} (${source.kind}) holds no hashicorp/aws provider`);
  console.log(
    source
      ? `AWS provider ${source.versions[0]} from the ${source.kind} ${source.dir}`
      : 'AWS provider from the registry (no TF_PLUGIN_DIR, CLI-config mirror or implied mirror found): init needs the network',
  );
  const results = names.map((name) => validateStack(name, environments.get(name) as StackConfig, options.tf, source, options.keep));
  console.log('');
  for (const result of results) {
    console.log(
      `${result.ok ? 'ok    ' : 'FAILED'} ${stackName(result.environment)}${result.tests ? `: ${result.tests}` : ''}${result.substitutions.length > 0 ? ` (${result.substitutions.length} substitution(s))` : ''}`,
    );
  }
  console.log(`(stack folders: ${relative(ROOT, join(PATHS.cdktfOut, 'stacks')) || '.'}; none of them was changed)`);
  return results.every((result) => result.ok) ? 0 : 1;
}

if (isMain(import.meta.url)) runMain('validate', main);
