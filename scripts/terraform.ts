/**
 * `make plan | deploy | destroy`: run terraform (or OpenTofu, TF=tofu) directly in the synthesized
 * stack folder. No cdktf CLI at deploy time. Stops early, with a clear message, when the binary or
 * AWS credentials are missing. With only an older AWS provider at hand offline (TF_PLUGIN_DIR or a
 * mirror), `make plan` plans a fitted copy for reading, and the other actions refuse.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { readEnvironment } from '../infra/environments-file';
import { stackName } from '../infra/names';
import { readJsonFile } from '../lib/json-file';
import { PATHS, ROOT } from '../lib/paths';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, runMain } from './lib/cli';
import { compatibleStack, describeSubstitution, satisfies } from './lib/provider-compat';
import type { TerraformJson } from './lib/terraform-json';
import { findProviderSource, initArguments, type ProviderSource } from './lib/terraform-providers';
import { renderPlanSummary } from './plan-summary/render';

export const ACTIONS = ['plan', 'apply', 'apply-plan', 'destroy'] as const;
export type Action = (typeof ACTIONS)[number];

export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** Fail unless `binary` runs; the message says how to get it. */
export function checkBinary(binary: string): string {
  const result = spawnSync(binary, ['version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new PrerequisiteError(
      `"${binary}" was not found or does not run. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) ` +
        'or OpenTofu >= 1.10 and run with TF=tofu. Nothing was changed.',
    );
  }
  return result.stdout.split('\n')[0] ?? binary;
}

function run(binary: string, args: readonly string[], cwd: string, capture = false): string {
  console.log(`$ ${binary} ${args.join(' ')}   (in ${relative(ROOT, cwd)})`);
  const result = spawnSync(binary, args, {
    cwd,
    stdio: capture ? ['inherit', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${binary} ${args[0]} failed (exit ${result.status ?? result.signal})`);
  return result.stdout ?? '';
}

export interface TerraformOptions {
  readonly action: Action;
  readonly env: string;
  readonly tf: string;
  readonly autoApprove: boolean;
}

/** The AWS provider version constraint the stack was synthesized with. */
const requiredAws = (json: TerraformJson) =>
  (json.terraform['required_providers'] as Record<string, { version?: string }> | undefined)?.['aws']?.version;

/**
 * An offline plan when the only provider at hand is older than the stack requires: a temporary copy
 * of the stack made to fit it (every substitution printed and written into the summary), planned
 * against the stack's real state. Its plan is for reading only: no tfplan is left to apply.
 */
function planOffline(tf: string, dir: string, stack: string, json: TerraformJson, source: ProviderSource, provider: string) {
  const { json: compatible, substitutions } = compatibleStack(json, provider);
  const copy = mkdtempSync(join(tmpdir(), `plan-${stack}-`));
  try {
    cpSync(join(dir, 'assets'), join(copy, 'assets'), { recursive: true });
    const local = (compatible.terraform['backend'] as { local?: { path?: string } } | undefined)?.local;
    // The copy plans against the stack's own local state, where make deploy keeps it.
    const terraform = local?.path
      ? { ...compatible.terraform, backend: { local: { path: resolve(dir, local.path) } } }
      : compatible.terraform;
    writeFileSync(join(copy, 'cdk.tf.json'), `${JSON.stringify({ ...compatible, terraform }, null, 2)}\n`);
    console.log(
      `offline plan: the ${source.kind} ${source.dir} has AWS provider ${provider}, older than the stack's ${requiredAws(json)}; planning a copy with:`,
    );
    for (const substitution of substitutions) console.log(`  substituted ${describeSubstitution(substitution)}`);
    run(tf, ['init', '-input=false', ...initArguments(source)], copy);
    run(tf, ['plan', '-input=false', '-out=tfplan'], copy);
    const planJson = run(tf, ['show', '-json', 'tfplan'], copy, true);
    rmSync(join(dir, 'tfplan'), { force: true });
    return {
      planJson,
      note: [
        `**Offline plan, for reading only:** AWS provider ${provider} stood in for the required ${requiredAws(json)}, with ${substitutions.length} substitution(s):`,
        ...substitutions.map((substitution) => `- \`${substitution.path}\`: ${substitution.from} → ${substitution.to}`),
        'No tfplan was kept: `make apply-plan` needs a plan made with the required provider.',
      ],
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export async function runTerraform(options: TerraformOptions): Promise<void> {
  const config = readEnvironment(options.env);
  const stack = stackName(options.env);
  const dir = join(PATHS.cdktfOut, 'stacks', stack);
  if (!existsSync(join(dir, 'cdk.tf.json')))
    throw new PrerequisiteError(`${relative(ROOT, dir)}/cdk.tf.json is missing: run \`make synth\``);
  console.log(`using ${checkBinary(options.tf)}`);
  const json = readJsonFile(join(dir, 'cdk.tf.json'), { missingHint: 'run `make synth`' }) as TerraformJson;
  const source = findProviderSource();
  const provider = source?.versions[0];
  const constraint = requiredAws(json);
  const tooOld = provider !== undefined && constraint !== undefined && !satisfies(provider, constraint);
  if (tooOld && options.action !== 'plan')
    throw new PrerequisiteError(
      `the ${source?.kind} ${source?.dir} has AWS provider ${provider}, but the stack requires ${constraint}: ` +
        `${options.action} needs the required provider (set TF_PLUGIN_DIR= to use the registry). Nothing was changed.`,
    );
  // An emulator endpoint comes with its own dummy credentials in the provider block.
  if (config.endpoint === undefined) await checkCredentials();

  if (options.action === 'plan') {
    let planJson: string;
    let note: string[] = [];
    if (tooOld && source && provider) ({ planJson, note } = planOffline(options.tf, dir, stack, json, source, provider));
    else {
      run(options.tf, ['init', '-input=false', ...initArguments(source)], dir);
      run(options.tf, ['plan', '-input=false', '-out=tfplan'], dir);
      planJson = run(options.tf, ['show', '-json', 'tfplan'], dir, true);
    }
    writeFileSync(join(dir, 'plan.json'), planJson);
    const markdown = renderPlanSummary(JSON.parse(planJson), { title: `Plan for ${stack}`, note });
    writeFileSync(join(dir, 'plan.md'), markdown);
    const kept = existsSync(join(dir, 'tfplan')) ? `${relative(ROOT, join(dir, 'tfplan'))}, ` : '';
    console.log(`\nwrote ${kept}${relative(ROOT, join(dir, 'plan.json'))} and plan.md\n\n${markdown}`);
    return;
  }
  run(options.tf, ['init', '-input=false', ...initArguments(source)], dir);
  const approve = options.autoApprove ? ['-auto-approve'] : [];
  if (options.action === 'apply') {
    run(options.tf, ['apply', '-input=false', ...approve], dir);
    run(options.tf, ['output'], dir);
  } else if (options.action === 'apply-plan') {
    // The plan a reviewer saw (make plan's tfplan): terraform applies exactly it, or refuses if stale.
    if (!existsSync(join(dir, 'tfplan')))
      throw new PrerequisiteError(`${relative(ROOT, dir)}/tfplan is missing: run \`make plan ENV=${options.env}\` first`);
    run(options.tf, ['apply', '-input=false', 'tfplan'], dir);
    run(options.tf, ['output'], dir);
  } else {
    run(options.tf, ['destroy', '-input=false', ...approve], dir);
  }
}

async function main() {
  const program = new Command('terraform')
    .description('Run terraform (or OpenTofu) on the synthesized stack of one environment')
    .addOption(new Option('--action <action>', 'what to run').choices(ACTIONS).makeOptionMandatory())
    .option('--env <name>', 'environment (dev, prod, localstack, or one from environments.json)', 'dev')
    .option('--tf <binary>', 'terraform or tofu', 'terraform')
    .option('--auto-approve', 'apply or destroy without asking', false)
    .parse();
  const options = program.opts<{ action: Action; env: string; tf: string; autoApprove: boolean }>();
  await runTerraform(options);
}

if (isMain(import.meta.url)) runMain('terraform', main);
