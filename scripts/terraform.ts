/**
 * `make plan | deploy | destroy`: run terraform (or OpenTofu, TF=tofu) directly in the synthesized
 * stack folder. No cdktf CLI at deploy time. Stops early, with a clear message, when the binary or
 * AWS credentials are missing.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { readEnvironment } from '../infra/environments-file';
import { stackName } from '../infra/names';
import { PATHS, ROOT } from '../lib/paths';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, runMain } from './lib/cli';
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

export async function runTerraform(options: TerraformOptions): Promise<void> {
  const config = readEnvironment(options.env);
  const stack = stackName(options.env);
  const dir = join(PATHS.cdktfOut, 'stacks', stack);
  if (!existsSync(join(dir, 'cdk.tf.json')))
    throw new PrerequisiteError(`${relative(ROOT, dir)}/cdk.tf.json is missing: run \`make synth\``);
  console.log(`using ${checkBinary(options.tf)}`);
  // An emulator endpoint comes with its own dummy credentials in the provider block.
  if (config.endpoint === undefined) await checkCredentials();

  run(options.tf, ['init', '-input=false'], dir);
  const approve = options.autoApprove ? ['-auto-approve'] : [];
  if (options.action === 'plan') {
    run(options.tf, ['plan', '-input=false', '-out=tfplan'], dir);
    const planJson = run(options.tf, ['show', '-json', 'tfplan'], dir, true);
    writeFileSync(join(dir, 'plan.json'), planJson);
    const markdown = renderPlanSummary(JSON.parse(planJson), { title: `Plan for ${stack}` });
    writeFileSync(join(dir, 'plan.md'), markdown);
    console.log(`\nwrote ${relative(ROOT, join(dir, 'tfplan'))}, plan.json and plan.md\n\n${markdown}`);
  } else if (options.action === 'apply') {
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
