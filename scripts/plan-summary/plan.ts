/**
 * The parts of `terraform show -json <plan>` that a reviewer needs, normalised across format
 * versions (0.1 to 1.2): resource changes classified by action, output changes, and whether the
 * plan errored or changes nothing. Pure.
 */

import { isPlainObject as isObject } from '../../lib/json';

export interface RawChange {
  readonly actions?: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  readonly replace_paths?: readonly unknown[];
}

export interface RawResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode?: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name?: string;
  readonly previous_address?: string;
  readonly action_reason?: string;
  readonly change: RawChange;
}

export interface RawPlan {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly RawResourceChange[];
  readonly resource_drift?: readonly RawResourceChange[];
  readonly output_changes?: Readonly<Record<string, RawChange>>;
  readonly errored?: boolean;
  readonly applyable?: boolean;
  readonly complete?: boolean;
}

export const ACTION = {
  replace: 'replace',
  delete: 'delete',
  create: 'create',
  update: 'update',
  read: 'read',
  forget: 'forget',
  noop: 'no-op',
} as const;

export type Action = (typeof ACTION)[keyof typeof ACTION];

/** Terraform's action lists, as one word. Both replacement orders are replacements. */
export function classify(actions: readonly string[] | undefined): Action {
  const list = [...(actions ?? [])];
  if (list.includes('delete') && list.includes('create')) return ACTION.replace;
  if (list.includes('delete')) return ACTION.delete;
  if (list.includes('create')) return ACTION.create;
  if (list.includes('update')) return ACTION.update;
  if (list.includes('read')) return ACTION.read;
  if (list.includes('forget')) return ACTION.forget;
  return ACTION.noop;
}

/** The order a reviewer should read changes in: what destroys first. */
export const ACTION_ORDER: readonly Action[] = [
  ACTION.replace,
  ACTION.delete,
  ACTION.forget,
  ACTION.create,
  ACTION.update,
  ACTION.read,
  ACTION.noop,
];

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly action: Action;
  readonly reason?: string;
  readonly previousAddress?: string;
  readonly change: RawChange;
}

export interface OutputChange {
  readonly name: string;
  readonly action: Action;
  readonly change: RawChange;
}

export interface Plan {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly errored: boolean;
  readonly resources: readonly ResourceChange[];
  readonly outputs: readonly OutputChange[];
  readonly drift: number;
}

export class NotAPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAPlanError';
  }
}

/** Read a parsed plan JSON; refuses what is not one. */
export function readPlan(json: unknown): Plan {
  if (!isObject(json) || typeof json['format_version'] !== 'string')
    throw new NotAPlanError('not a Terraform plan: expected the JSON of `terraform show -json <planfile>` (it has a "format_version")');
  const raw = json as RawPlan;
  if (raw.resource_changes !== undefined && !Array.isArray(raw.resource_changes))
    throw new NotAPlanError('"resource_changes" is not a list');
  const resources = (raw.resource_changes ?? []).map((item): ResourceChange => {
    if (!isObject(item) || typeof item['address'] !== 'string' || !isObject(item['change']))
      throw new NotAPlanError('a resource change lacks an address or a change');
    const entry = item as unknown as RawResourceChange;
    return {
      address: entry.address,
      type: entry.type,
      mode: entry.mode ?? 'managed',
      action: classify(entry.change.actions),
      ...(entry.action_reason ? { reason: entry.action_reason } : {}),
      ...(entry.previous_address ? { previousAddress: entry.previous_address } : {}),
      change: entry.change,
    };
  });
  const outputs = Object.entries(raw.output_changes ?? {}).map(([name, change]) => ({ name, action: classify(change.actions), change }));
  return {
    formatVersion: raw.format_version as string,
    ...(raw.terraform_version ? { terraformVersion: raw.terraform_version } : {}),
    // Older formats have no "errored"; an incomplete, unapplyable plan with errors says so only in 1.2+.
    errored: raw.errored === true,
    resources,
    outputs,
    drift: (raw.resource_drift ?? []).length,
  };
}

export type Counts = Record<'create' | 'update' | 'replace' | 'delete', number>;

export function countChanges(plan: Plan): Counts {
  const managed = plan.resources.filter((resource) => resource.mode === 'managed');
  const count = (action: Action) => managed.filter((resource) => resource.action === action).length;
  return { create: count(ACTION.create), update: count(ACTION.update), replace: count(ACTION.replace), delete: count(ACTION.delete) };
}
