/** The shape of a synthesized cdk.tf.json, as far as this project reads it. */

export type ResourceBlocks = Record<string, Record<string, Record<string, unknown>>>;

export interface TerraformJson {
  readonly resource: ResourceBlocks;
  readonly data?: ResourceBlocks;
  readonly output?: Record<string, { value: unknown }>;
  readonly terraform: Record<string, unknown>;
  readonly provider: Record<string, Record<string, unknown>[]>;
}

export interface ResourceEntry {
  readonly type: string;
  readonly name: string;
  /** `type.name`, as in depends_on and references. */
  readonly address: string;
  readonly body: Record<string, unknown>;
}

export function resourcesOfType(json: TerraformJson, type: string): ResourceEntry[] {
  return Object.entries(json.resource[type] ?? {}).map(([name, body]) => ({ type, name, address: `${type}.${name}`, body }));
}
