/**
 * `make policies ENV=prod ACCOUNT_ID=123456789012`: write the deployer policies for an environment
 * (plan: read-only; apply: read and change the stack's resources) as JSON documents to attach to
 * the identities CI uses (see README, "Security").
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { awsAccountId } from '../infra/config';
import { deployerApplyPolicy, deployerPlanPolicy, githubOidcTrustPolicy } from '../infra/deployer-policies';
import { readEnvironment } from '../infra/environments-file';
import { stackName } from '../infra/names';
import { PATHS, ROOT } from '../lib/paths';
import { isMain, runMain } from './lib/cli';

async function main() {
  const program = new Command('policies')
    .description('Write the deployer IAM policies (plan and apply) for one environment')
    .option('--env <name>', 'environment', 'dev')
    .option('--account-id <id>', "the AWS account (default: the environment's accountId)")
    .option('--github-repo <owner/name>', 'also write the trust policies for GitHub Actions roles (OIDC)')
    .parse();
  const options = program.opts<{ env: string; accountId?: string; githubRepo?: string }>();
  const config = readEnvironment(options.env);
  const given = options.accountId ?? config.accountId;
  if (given === undefined)
    throw new Error('the account is needed: pass ACCOUNT_ID=<12 digits> or set accountId for the environment in environments.json');
  const account = awsAccountId.safeParse(given);
  if (!account.success)
    throw new Error(
      `ACCOUNT_ID "${given}" ${account.error.issues[0]?.message ?? 'is not an AWS account id'} (an AWS account id is 12 digits, such as 123456789012)`,
    );
  const accountId = account.data;
  const scope = {
    namePrefix: config.namePrefix,
    region: config.region,
    accountId,
    ...(config.backend ? { stateBucket: config.backend.bucket, stateKey: config.backend.key } : {}),
  };
  const dir = join(PATHS.cdktfOut, 'policies', stackName(options.env));
  mkdirSync(dir, { recursive: true });
  const documents: [string, unknown][] = [
    ['deployer-plan.json', deployerPlanPolicy(scope)],
    ['deployer-apply.json', deployerApplyPolicy(scope)],
    ...(options.githubRepo
      ? ([
          ['github-plan-trust.json', githubOidcTrustPolicy(accountId, options.githubRepo, 'pull_request')],
          ['github-apply-trust.json', githubOidcTrustPolicy(accountId, options.githubRepo, 'environment:production')],
        ] as [string, unknown][])
      : []),
  ];
  for (const [name, document] of documents) {
    writeFileSync(join(dir, name), `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${relative(ROOT, join(dir, name))}`);
  }
}

if (isMain(import.meta.url)) runMain('policies', main);
