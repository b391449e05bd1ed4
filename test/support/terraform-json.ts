/** Reading synthesized Terraform JSON (cdk.tf.json): resources by type and construct path, and references. */

import { resourcesOfType as entriesOfType, type ResourceEntry, type TerraformJson } from '../../scripts/lib/terraform-json';

export type { TerraformJson };

export interface FoundResource extends ResourceEntry {
  /** The construct path inside the stack, e.g. "image-buckets/originals/bucket". */
  readonly path: string;
}

const constructPath = (body: Record<string, unknown>): string => {
  const path = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? '';
  return path.split('/').slice(1).join('/');
};

export function resourcesOfType(json: TerraformJson, type: string): FoundResource[] {
  return entriesOfType(json, type).map((entry) => ({ ...entry, path: constructPath(entry.body) }));
}

/** The one resource of `type` at construct path `path`; throws if there is not exactly one. */
export function resourceAt(json: TerraformJson, type: string, path: string): FoundResource {
  const found = resourcesOfType(json, type).filter((resource) => resource.path === path);
  if (found.length !== 1) throw new Error(`expected one ${type} at ${path}, found ${found.length}`);
  return found[0] as FoundResource;
}

/** The interpolation another resource uses to refer to `resource`'s attribute. */
export const ref = (resource: FoundResource, attribute: string): string => `\${${resource.type}.${resource.name}.${attribute}}`;
