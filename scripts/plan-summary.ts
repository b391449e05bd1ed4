/**
 * `make plan-summary PLAN=path/to/plan.json`: print the Markdown summary of any
 * `terraform show -json` plan (what `make plan` writes to plan.md, and CI posts on pull requests).
 */

import { Command } from 'commander';
import { readJsonFile } from '../lib/json-file';
import { isMain, runMain } from './lib/cli';
import { renderPlanSummary } from './plan-summary/render';

async function main() {
  const program = new Command('plan-summary')
    .description('Markdown summary of a Terraform plan JSON (terraform show -json <planfile>)')
    .requiredOption('--plan <file>', 'the plan JSON')
    .option('--title <text>', 'a heading for the summary')
    .parse();
  const options = program.opts<{ plan: string; title?: string }>();
  const json = readJsonFile(options.plan, { missingHint: 'make plan writes cdktf.out/stacks/<stack>/plan.json' });
  process.stdout.write(renderPlanSummary(json, options.title ? { title: options.title } : {}));
}

if (isMain(import.meta.url)) runMain('plan-summary', main);
