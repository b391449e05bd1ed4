/**
 * Terraform references inside synthesized JSON strings (`${aws_s3_bucket.x.arn}`,
 * `${data.aws_caller_identity.current.account_id}`), replaced by concrete values. Used by the local
 * runner (local bucket names) and the policy tests (example ARNs). Pure.
 */

export interface Reference {
  /** `aws_s3_bucket`, or `data.aws_caller_identity` for data sources. */
  readonly type: string;
  readonly name: string;
  readonly attribute: string;
}

/** `${type.name.attribute}`, the data source prefix included in the type. */
const PATTERN = String.raw`\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}`;
const REFERENCE = new RegExp(PATTERN, 'g');
const ONLY_A_REFERENCE = new RegExp(`^${PATTERN}$`);

/** The address (`type.name`) of the resource a reference points at, as in depends_on. */
export const referenceAddress = (reference: Reference): string => `${reference.type}.${reference.name}`;

export class UnresolvedReferenceError extends Error {
  constructor(readonly reference: string) {
    super(`cannot resolve ${reference}: the local model does not know this resource or attribute`);
    this.name = 'UnresolvedReferenceError';
  }
}

/** Replace every `${type.name.attribute}` in `value`; `lookup` returns undefined for what it does not know. */
export function resolveReferences(value: string, lookup: (reference: Reference) => string | undefined): string {
  const resolved = value.replace(REFERENCE, (whole, type: string, name: string, attribute: string) => {
    const replacement = lookup({ type, name, attribute });
    if (replacement === undefined) throw new UnresolvedReferenceError(whole);
    return replacement;
  });
  if (resolved.includes('${'))
    throw new UnresolvedReferenceError(resolved.slice(resolved.indexOf('${'), resolved.indexOf('}', resolved.indexOf('${')) + 1));
  return resolved;
}

/** The resource a single-reference string points at (`${aws_s3_bucket.x.id}` -> that bucket), if it is one. */
export function parseReference(value: string): Reference | undefined {
  const match = ONLY_A_REFERENCE.exec(value);
  return match ? { type: match[1] as string, name: match[2] as string, attribute: match[3] as string } : undefined;
}
