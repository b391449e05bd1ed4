/**
 * Where `terraform init` gets the AWS provider on a machine without the registry: a plugin
 * directory (`-plugin-dir`, from TF_PLUGIN_DIR), a filesystem mirror named in the CLI config's
 * `provider_installation`, or one of Terraform's implied local mirror directories.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compareVersions } from './provider-compat';

export interface ProviderSource {
  /** plugin-dir is passed to `terraform init -plugin-dir`; mirrors Terraform finds by itself. */
  readonly kind: 'plugin-dir' | 'cli-config mirror' | 'implied mirror';
  readonly dir: string;
  /** AWS provider versions there, newest first. */
  readonly versions: readonly string[];
}

const AWS_PROVIDER = join('registry.terraform.io', 'hashicorp', 'aws');

/** The AWS provider versions a plugin directory or mirror holds (unpacked layout), newest first. */
export function awsProviderVersions(dir: string): string[] {
  const root = join(dir, AWS_PROVIDER);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+\.\d+\.\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => compareVersions(b, a));
}

/** The `filesystem_mirror { path = "..." }` directories of a CLI config (HCL), in order. */
export function cliConfigMirrors(config: string): string[] {
  return [...config.matchAll(/filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"/g)].map((match) => match[1] as string);
}

/** Terraform's implied local mirror directories on Linux (CLI configuration docs, "Implied Local Mirror Directories"). */
export const IMPLIED_MIRRORS = (home = homedir()) => [
  join(home, '.terraform.d', 'plugins'),
  join(home, '.local', 'share', 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

/** Where the AWS provider comes from offline, or undefined when init would use the registry. */
export function findProviderSource(env: NodeJS.ProcessEnv = process.env): ProviderSource | undefined {
  const pluginDir = env['TF_PLUGIN_DIR']?.trim();
  if (pluginDir) return { kind: 'plugin-dir', dir: pluginDir, versions: awsProviderVersions(pluginDir) };
  const configFile = env['TF_CLI_CONFIG_FILE'] ?? join(homedir(), '.terraformrc');
  if (existsSync(configFile)) {
    for (const dir of cliConfigMirrors(readFileSync(configFile, 'utf8'))) {
      const versions = awsProviderVersions(dir);
      if (versions.length > 0) return { kind: 'cli-config mirror', dir, versions };
    }
  }
  for (const dir of IMPLIED_MIRRORS()) {
    const versions = awsProviderVersions(dir);
    if (versions.length > 0) return { kind: 'implied mirror', dir, versions };
  }
  return undefined;
}

/** The `terraform init` arguments that use the source. */
export const initArguments = (source: ProviderSource | undefined): string[] =>
  source?.kind === 'plugin-dir' ? [`-plugin-dir=${source.dir}`] : [];
