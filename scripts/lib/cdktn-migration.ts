/**
 * What moving from CDK for Terraform (archived) to its fork CDK Terrain changes, as pure functions
 * `make cdktn-check` applies to a copy of the project: the imports to rewrite, and the only
 * differences the synthesized JSON may show afterwards (the metadata's version, the provider's
 * source address, its version pin), normalized away before the rest is compared.
 */

import type { TerraformJson } from './terraform-json';

/** The packages, today's and CDK Terrain's; the versions the check installs are pinned here. */
export const CDKTN = {
  packages: { cdktf: 'cdktn', '@cdktf/provider-aws': '@cdktn/provider-aws' },
  versions: { cdktn: '0.24.0', '@cdktn/provider-aws': '25.7.0', constructs: '10.7.0' },
} as const;

/** A source file with its imports of cdktf and @cdktf/provider-aws (and their subpaths) pointed at CDK Terrain's. */
export function rewriteImports(text: string): string {
  return text
    .replace(/(from\s+|import\(\s*|require\(\s*)(['"])cdktf(['"/])/g, '$1$2cdktn$3')
    .replace(/(from\s+|import\(\s*|require\(\s*)(['"])@cdktf\/provider-aws(['"/])/g, '$1$2@cdktn/provider-aws$3');
}

/** Where two JSON values differ: one line per path, with both sides. */
export function jsonDifferences(a: unknown, b: unknown, path = '$'): string[] {
  if (Object.is(a, b)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...jsonDifferences(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => jsonDifferences(a[key], b[key], `${path}.${key}`));
  }
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value).slice(0, 200));
  return [`${path}: ${show(a)} -> ${show(b)}`];
}

/** What is expected to differ between today's stack and the migrated one, by JSON path. */
export const EXPECTED_DIFFERENCES = [
  { path: '$.//.metadata.version', why: "the synthesizer's version (cdktf 0.21.0, cdktn 0.24.0)" },
  {
    path: '$.terraform.required_providers.aws.source',
    why: 'the provider source address: "aws" (short for hashicorp/aws) becomes "hashicorp/aws"',
  },
  { path: '$.terraform.required_providers.aws.version', why: "the provider pin of each package's generated bindings" },
] as const;

/** Today's JSON and the migrated one, compared: the expected differences found, and every other one. */
export function compareStacks(today: TerraformJson, migrated: TerraformJson): { expected: string[]; unexpected: string[] } {
  const differences = jsonDifferences(today, migrated);
  const isExpected = (line: string) => EXPECTED_DIFFERENCES.some((expected) => line.startsWith(`${expected.path}:`));
  return { expected: differences.filter(isExpected), unexpected: differences.filter((line) => !isExpected(line)) };
}

/** The migrated JSON with the provider pinned as today's is: the plan check holds the provider still. */
export function withProviderPinOf(migrated: TerraformJson, today: TerraformJson): TerraformJson {
  const pin = (json: TerraformJson) =>
    (json.terraform['required_providers'] as Record<string, { version?: string }> | undefined)?.['aws']?.version;
  const copy = structuredClone(migrated);
  const aws = (copy.terraform['required_providers'] as Record<string, { version?: string }> | undefined)?.['aws'];
  const todays = pin(today);
  if (aws && todays !== undefined) aws.version = todays;
  return copy;
}
