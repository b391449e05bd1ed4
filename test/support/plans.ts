/** Terraform plan JSON built in tests (format 1.2, as current Terraform writes it). */

export interface ChangeOptions {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly afterUnknown?: unknown;
  readonly beforeSensitive?: unknown;
  readonly afterSensitive?: unknown;
  readonly reason?: string;
  readonly replacePaths?: string[][];
}

export function resourceChange(options: ChangeOptions) {
  return {
    address: options.address,
    mode: 'managed',
    type: options.type,
    name: options.address.split('.').pop(),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    ...(options.reason ? { action_reason: options.reason } : {}),
    change: {
      actions: options.actions,
      before: options.before ?? null,
      after: options.after ?? null,
      after_unknown: options.afterUnknown ?? {},
      before_sensitive: options.beforeSensitive ?? {},
      after_sensitive: options.afterSensitive ?? {},
      ...(options.replacePaths ? { replace_paths: options.replacePaths } : {}),
    },
  };
}

export function plan(resourceChanges: unknown[], outputChanges: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    format_version: '1.2',
    terraform_version: '1.10.5',
    resource_changes: resourceChanges,
    output_changes: outputChanges,
    applyable: true,
    complete: true,
    errored: false,
    ...extra,
  };
}

export const policyJson = (actions: string[], resource: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });
