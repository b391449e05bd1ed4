/** Values in a plan as a reviewer should see them: sensitive ones masked, unknown ones named. Pure. */

import { isPlainObject as isObject } from '../../lib/json';

export const SENSITIVE = '(sensitive value)';
export const UNKNOWN = '(known after apply)';

/**
 * Replace what `sensitive` marks (true, or true at a nested path of the same shape) with a mask,
 * and what `unknown` marks with "(known after apply)".
 */
export function present(value: unknown, sensitive: unknown, unknown: unknown = undefined): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value))
    return value.map((item, i) =>
      present(item, Array.isArray(sensitive) ? sensitive[i] : undefined, Array.isArray(unknown) ? unknown[i] : undefined),
    );
  if (isObject(value)) {
    const keys = new Set([
      ...Object.keys(value),
      ...(isObject(unknown) ? Object.keys(unknown).filter((key) => unknown[key] === true) : []),
    ]);
    return Object.fromEntries(
      [...keys].map((key) => [
        key,
        present(value[key], isObject(sensitive) ? sensitive[key] : undefined, isObject(unknown) ? unknown[key] : undefined),
      ]),
    );
  }
  if (value === undefined && unknown === true) return UNKNOWN;
  return value;
}

/** JSON with keys sorted at every level, so diffs show real changes only. */
export function stableJson(value: unknown): string {
  const sort = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(sort);
    if (isObject(item))
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sort(item[key])]),
      );
    return item;
  };
  return JSON.stringify(sort(value), null, 2);
}

/** A short, one-line rendering of a value for a table cell. */
export function short(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Parse a string that holds an IAM policy document (it has a Statement); undefined otherwise. */
export function parsePolicy(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || !value.includes('Statement')) return undefined;
  try {
    const parsed = JSON.parse(value);
    return isObject(parsed) && 'Statement' in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
