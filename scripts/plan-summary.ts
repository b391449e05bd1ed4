/**
 * `make plan-summary PLAN=path/to/plan.json`: print the Markdown summary of any
 * `terraform show -json` plan (what `make plan` writes to plan.md, and CI posts on pull requests).
 */

import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isMain, runMain } from './lib/cli';
import { renderPlanSummary } from './plan-summary/render';

async function main() {
  const program = new Command('plan-summary')
    .description('Markdown summary of a Terraform plan JSON (terraform show -json <planfile>)')
    .requiredOption('--plan <file>', 'the plan JSON')
    .option('--title <text>', 'a heading for the summary')
    .parse();
  const options = program.opts<{ plan: string; title?: string }>();
  if (!existsSync(options.plan)) throw new Error(`${options.plan} does not exist (make plan writes cdktf.out/stacks/<stack>/plan.json)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(options.plan, 'utf8'));
  } catch (error) {
    throw new Error(`${options.plan} is not JSON: ${(error as Error).message}`);
  }
  process.stdout.write(renderPlanSummary(json, options.title ? { title: options.title } : {}));
}

if (isMain(import.meta.url)) runMain('plan-summary', main);
