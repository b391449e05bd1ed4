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
import { createInterface } from 'node:readline/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { Command, Option } from 'commander';
import { adoptedBucketOf, type StackConfig } from '../infra/config';
import { readEnvironment } from '../infra/environments-file';
import { ADOPTED_BUCKET_VARIABLES, ADOPTED_BUCKET_VARIABLES_FILE, stackName } from '../infra/names';
import { readJsonFile } from '../lib/json-file';
import { PATHS, ROOT } from '../lib/paths';
import {
  AdoptedBucketError,
  adoptedBucketVariables,
  describeAdoptedBucket,
  ownEntriesOf,
  readAdoptedBucket,
  releaseAdoptedNotifications,
  writeAdoptedBucketVariables,
} from './adopted-bucket';
import { checkCredentials } from './lib/aws-credentials';
import { carriedOver } from './lib/bucket-notifications';
import { isMain, runMain } from './lib/cli';
import { compatibleStack, describeSubstitution, satisfies } from './lib/provider-compat';
import { resourcesOfType, type TerraformJson } from './lib/terraform-json';
import { findProviderSource, initArguments, type ProviderSource } from './lib/terraform-providers';
import { changesTouchingBucket } from './plan-summary/adopted-bucket-check';
import type { RawPlan } from './plan-summary/plan';
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
    if (existsSync(join(dir, ADOPTED_BUCKET_VARIABLES_FILE)))
      cpSync(join(dir, ADOPTED_BUCKET_VARIABLES_FILE), join(copy, ADOPTED_BUCKET_VARIABLES_FILE));
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

/** An S3 client for reading an adopted bucket with the deployer's credentials (an emulator's endpoint is path-style). */
function adoptedBucketClient(config: StackConfig): S3Client {
  const endpoint = config.endpoint ?? process.env['AWS_ENDPOINT_URL_S3'];
  return new S3Client({ region: config.region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
}

/**
 * Before terraform runs on an adopted bucket's stack: read the bucket (region, EventBridge, its
 * notifications), stop with the reason when it is not ready, and write what terraform needs into
 * the stack folder. Returns lines describing the bucket for the console and the plan summary.
 */
async function prepareAdoptedBucket(config: StackConfig, dir: string, action: Action): Promise<string[]> {
  const adopted = adoptedBucketOf(config);
  if (!adopted) return [];
  const s3 = adoptedBucketClient(config);
  try {
    const state = await readAdoptedBucket(s3, adopted.name);
    const lines = describeAdoptedBucket(adopted, state, ownEntriesOf(config));
    for (const line of lines) console.log(line);
    // Letting go checks nothing: the stack's resources go whatever the bucket's state now.
    const variables =
      action === 'destroy'
        ? adopted.delivery === 'eventbridge'
          ? { [ADOPTED_BUCKET_VARIABLES.eventBridge]: state.notifications.EventBridgeConfiguration !== undefined }
          : { [ADOPTED_BUCKET_VARIABLES.notifications]: carriedOver(state.notifications, ownEntriesOf(config)) }
        : adoptedBucketVariables(config, state);
    const path = writeAdoptedBucketVariables(dir, variables);
    if (path) console.log(`wrote ${relative(ROOT, path)} (read by terraform)`);
    return lines;
  } catch (error) {
    if (error instanceof AdoptedBucketError) throw new PrerequisiteError(error.message);
    throw error;
  } finally {
    s3.destroy();
  }
}

/** The resource types an adopted bucket's plan may change on the bucket: what its configuration explicitly asks for. */
export function allowedOnAdoptedBucket(config: StackConfig): string[] {
  const adopted = adoptedBucketOf(config);
  return [
    ...(adopted?.delivery === 'notification' ? ['aws_s3_bucket_notification'] : []),
    ...(config.backfill.enabled && config.backfill.inventory ? ['aws_s3_bucket_inventory'] : []),
  ];
}

/** Refuse a plan that would touch an adopted bucket beyond what its configuration allows, naming each change. */
export function checkAdoptedBucketPlan(config: StackConfig, plan: RawPlan): string[] {
  const adopted = adoptedBucketOf(config);
  if (!adopted) return [];
  const touches = changesTouchingBucket(plan, adopted.name, allowedOnAdoptedBucket(config));
  return touches.map((touch) => `${touch.action} ${touch.address}`);
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
  const adopted = adoptedBucketOf(config);
  const bucketLines = options.action === 'apply-plan' ? [] : await prepareAdoptedBucket(config, dir, options.action);

  if (options.action === 'plan' || (options.action === 'apply' && adopted)) {
    let planJson: string;
    let note: string[] = [];
    if (tooOld && source && provider) ({ planJson, note } = planOffline(options.tf, dir, stack, json, source, provider));
    else {
      run(options.tf, ['init', '-input=false', ...initArguments(source)], dir);
      run(options.tf, ['plan', '-input=false', '-out=tfplan'], dir);
      planJson = run(options.tf, ['show', '-json', 'tfplan'], dir, true);
    }
    const plan = JSON.parse(planJson) as RawPlan;
    const touches = checkAdoptedBucketPlan(config, plan);
    const verdict =
      adopted === undefined
        ? []
        : touches.length === 0
          ? [
              `**Adopted bucket \`${adopted.name}\`:** no planned change touches it${allowedOnAdoptedBucket(config).length > 0 ? ` beyond ${allowedOnAdoptedBucket(config).join(' and ')}, which its configuration asks for` : ''}.`,
            ]
          : [`**Adopted bucket \`${adopted.name}\`: this plan would touch it, and is refused:**`, ...touches.map((touch) => `- ${touch}`)];
    writeFileSync(join(dir, 'plan.json'), planJson);
    const markdown = renderPlanSummary(plan, {
      title: `Plan for ${stack}`,
      note: [...note, ...bucketLines.map((line) => line.trim()), ...verdict],
    });
    writeFileSync(join(dir, 'plan.md'), markdown);
    if (touches.length > 0) {
      rmSync(join(dir, 'tfplan'), { force: true });
      throw new PrerequisiteError(
        `the plan would change the adopted bucket ${adopted?.name}, which this stack never manages:\n${touches.map((touch) => `  ${touch}`).join('\n')}\nNo tfplan was kept. Nothing was changed.`,
      );
    }
    const kept = existsSync(join(dir, 'tfplan')) ? `${relative(ROOT, join(dir, 'tfplan'))}, ` : '';
    console.log(`\nwrote ${kept}${relative(ROOT, join(dir, 'plan.json'))} and plan.md\n\n${markdown}`);
    if (options.action === 'plan') return;
    // make deploy of an adopted bucket's stack: the plan just checked is the one applied.
    if (!options.autoApprove && !(await confirm(`Apply this plan for ${stack}?`))) {
      rmSync(join(dir, 'tfplan'), { force: true });
      console.log('Not applied. Nothing was changed.');
      return;
    }
    run(options.tf, ['apply', '-input=false', 'tfplan'], dir);
    run(options.tf, ['output'], dir);
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
    if (adopted?.delivery === 'notification') await releaseNotifications(options, config, dir, json);
    run(options.tf, ['destroy', '-input=false', ...approve], dir);
  }
}

/**
 * Before destroying a stack with notifications on an adopted bucket: ask, write back the
 * configuration the bucket had besides the stack's own, and let go of the notification resource
 * (which refuses destruction, since destroying it would write an empty configuration).
 */
async function releaseNotifications(options: TerraformOptions, config: StackConfig, dir: string, json: TerraformJson) {
  const adopted = adoptedBucketOf(config);
  if (
    !options.autoApprove &&
    !(await confirm(`Destroy ${stackName(options.env)}, first writing back ${adopted?.name}'s own notifications?`))
  ) {
    throw new PrerequisiteError('Not destroyed. Nothing was changed.');
  }
  const s3 = adoptedBucketClient(config);
  try {
    const restored = await releaseAdoptedNotifications(s3, config);
    console.log(`wrote back ${adopted?.name}'s notification configuration without this stack's entries: ${JSON.stringify(restored)}`);
  } finally {
    s3.destroy();
  }
  for (const { address } of resourcesOfType(json, 'aws_s3_bucket_notification')) run(options.tf, ['state', 'rm', address], dir);
}

/** Ask on the terminal; no terminal means no. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    console.log(`${question} (no terminal to ask: pass ARGS=--auto-approve to go on)`);
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
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
