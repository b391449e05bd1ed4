/**
 * Running a synthesized stack against an older AWS provider than it requires, for offline checks
 * only: the version constraint and each value that provider's schema cannot know are rewritten in
 * a copy, and every rewrite is reported. The JSON `make deploy` applies is never touched. Pure.
 */

import { isPlainObject } from '../../lib/json';
import type { TerraformJson } from './terraform-json';

/** A value the stack may use that older providers refuse, and what those providers accept instead. */
export interface ProviderValue {
  readonly value: string;
  /** The first provider version whose schema accepts it. */
  readonly since: string;
  readonly standIn: string;
  readonly reason: string;
}

export const PROVIDER_VALUES: readonly ProviderValue[] = [
  { value: 'nodejs24.x', since: '6.19.0', standIn: 'nodejs22.x', reason: 'the nodejs24.x Lambda runtime is known from provider 6.19' },
];

/** Text inside expressions that older providers' schemas name differently (replaced wherever it occurs in a string). */
export const PROVIDER_EXPRESSIONS: readonly ProviderValue[] = [
  {
    value: 'bucket_region',
    since: '6.0.0',
    standIn: 'region',
    reason: "providers before 6.0 call data.aws_s3_bucket's own region `region` (6.0 renamed it bucket_region)",
  },
];

export interface Substitution {
  /** Where, as a JSON path: `resource.aws_lambda_function.<name>.runtime`. */
  readonly path: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

type Version = readonly [number, number, number];

export function parseVersion(text: string): Version {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a version`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return 0;
}

/** Whether `version` meets a Terraform version constraint ("6.25.0", ">= 6.19, < 7", "~> 6.0"). */
export function satisfies(version: string, constraint: string): boolean {
  return constraint
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .every((part) => {
      const match = /^(=|!=|>=|<=|>|<|~>)?\s*(\S+)$/.exec(part);
      if (!match) throw new Error(`cannot read the version constraint "${constraint}"`);
      const [, operator = '=', bound = ''] = match;
      const order = compareVersions(version, bound);
      switch (operator) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        default: {
          // ~> 6.1 allows 6.x >= 6.1; ~> 6.1.2 allows 6.1.x >= 6.1.2.
          const parts = bound.split('.').length;
          const [major, minor] = parseVersion(bound);
          const [vMajor, vMinor] = parseVersion(version);
          return order >= 0 && vMajor === major && (parts < 3 || vMinor === minor);
        }
      }
    });
}

interface Replacements {
  readonly values: readonly ProviderValue[];
  readonly expressions: readonly ProviderValue[];
}

function rewriteValues(node: unknown, path: string, replacements: Replacements, found: Substitution[]): unknown {
  if (typeof node === 'string') {
    const replacement = replacements.values.find((candidate) => candidate.value === node);
    if (replacement) {
      found.push({ path, from: node, to: replacement.standIn, reason: replacement.reason });
      return replacement.standIn;
    }
    let text = node;
    for (const expression of replacements.expressions.filter((candidate) => text.includes(candidate.value))) {
      const rewritten = text.split(expression.value).join(expression.standIn);
      found.push({ path, from: text, to: rewritten, reason: expression.reason });
      text = rewritten;
    }
    return text;
  }
  if (Array.isArray(node)) return node.map((item, i) => rewriteValues(item, `${path}[${i}]`, replacements, found));
  if (isPlainObject(node))
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, rewriteValues(value, `${path}.${key}`, replacements, found)]),
    );
  return node;
}

/**
 * The stack as `provider` (the AWS provider version available) can run it, and every change that
 * took. With a provider the stack's constraint admits, nothing changes.
 */
export function compatibleStack(json: TerraformJson, provider: string): { json: TerraformJson; substitutions: Substitution[] } {
  const required = (json.terraform['required_providers'] as Record<string, { version?: string }> | undefined)?.['aws'];
  const constraint = required?.version;
  if (constraint === undefined || satisfies(provider, constraint)) return { json, substitutions: [] };
  const substitutions: Substitution[] = [
    {
      path: 'terraform.required_providers.aws.version',
      from: constraint,
      to: provider,
      reason: `the newest AWS provider available is ${provider}`,
    },
  ];
  const older = (candidate: ProviderValue) => compareVersions(provider, candidate.since) < 0;
  const replacements = { values: PROVIDER_VALUES.filter(older), expressions: PROVIDER_EXPRESSIONS.filter(older) };
  const resource = rewriteValues(json.resource, 'resource', replacements, substitutions) as TerraformJson['resource'];
  const data =
    json.data === undefined ? {} : { data: rewriteValues(json.data, 'data', replacements, substitutions) as TerraformJson['data'] };
  const terraform = {
    ...json.terraform,
    required_providers: { ...(json.terraform['required_providers'] as object), aws: { ...required, version: provider } },
  };
  return { json: { ...json, terraform, resource, ...data }, substitutions };
}

/** A test file (HCL) as `provider` can run it: the same expression rewrites as the stack's. */
export function compatibleText(text: string, provider: string): { text: string; substitutions: Substitution[] } {
  const substitutions: Substitution[] = [];
  const expressions = PROVIDER_EXPRESSIONS.filter((candidate) => compareVersions(provider, candidate.since) < 0);
  let rewritten = text;
  for (const expression of expressions.filter((candidate) => rewritten.includes(candidate.value))) {
    rewritten = rewritten.split(expression.value).join(expression.standIn);
    substitutions.push({ path: '(test file)', from: expression.value, to: expression.standIn, reason: expression.reason });
  }
  return { text: rewritten, substitutions };
}

/** One line per substitution, for the console. */
export const describeSubstitution = (s: Substitution) => `${s.path}: ${s.from} -> ${s.to} (${s.reason})`;
