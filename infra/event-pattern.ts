/**
 * The EventBridge pattern that selects an adopted bucket's uploads for the thumbnail function.
 * Pure: the stack writes it into the rule; the local runner matches events against what was
 * synthesized.
 *
 * S3 puts the key into events URL-encoded (`+` for a space), so filters are written in that form.
 * One field takes several conditions only as alternatives, so "under the prefix AND ending in a
 * suffix, whatever its case" cannot be a `prefix` beside a `suffix`: without a prefix the key is
 * matched with `suffix` + `equals-ignore-case`; with one, with a `wildcard` per spelling of each
 * suffix (`uploads/*.jpg`, `uploads/*.JPG`, `uploads/*.Jpg`...), which is exactly the same set.
 */

import { encodeEventKey } from '../handlers/thumbnail/constants';

/** What S3 calls the events the function takes, as EventBridge `detail-type`s. */
export const DETAIL_TYPES = { created: 'Object Created', deleted: 'Object Deleted' } as const;

/** EventBridge's limit on a rule's pattern (PutRule, TestEventPattern). */
export const MAX_EVENT_PATTERN_LENGTH = 4096;

export interface UploadPatternProps {
  readonly bucketName: string;
  /** Keys under it only (as stored; encoded here). */
  readonly prefix?: string;
  /** Keys ending with one of these, in any case. */
  readonly suffixes: readonly string[];
  /** Also deletes, so thumbnails follow deleted originals. */
  readonly onDelete: boolean;
}

/** Every spelling of `text` that differs only in the case of its letters (`.jpg`: 8). */
export function caseVariants(text: string): string[] {
  let variants = [''];
  for (const char of text) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    variants = variants.flatMap((variant) => (lower === upper ? [variant + char] : [variant + lower, variant + upper]));
  }
  return variants;
}

/** A literal inside a wildcard pattern: `*` and `\` escaped. */
const wildcardLiteral = (text: string) => text.replace(/[\\*]/g, (char) => `\\${char}`);

/** The key conditions: any one of them selects the key. */
export function keyConditions(prefix: string | undefined, suffixes: readonly string[]): Record<string, unknown>[] {
  if (prefix === undefined || prefix === '')
    return suffixes.map((suffix) => ({ suffix: { 'equals-ignore-case': encodeEventKey(suffix) } }));
  const start = wildcardLiteral(encodeEventKey(prefix));
  return suffixes.flatMap((suffix) =>
    caseVariants(encodeEventKey(suffix)).map((variant) => ({ wildcard: `${start}*${wildcardLiteral(variant)}` })),
  );
}

/** The rule's pattern: S3 events of this bucket, created (and deleted) objects, keys filtered. */
export function uploadEventPattern(props: UploadPatternProps): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': props.onDelete ? [DETAIL_TYPES.created, DETAIL_TYPES.deleted] : [DETAIL_TYPES.created],
    detail: {
      bucket: { name: [props.bucketName] },
      object: { key: keyConditions(props.prefix, props.suffixes) },
    },
  };
}
