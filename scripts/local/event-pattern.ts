/**
 * EventBridge's event-pattern matching, for the local runner: does a synthesized rule's pattern
 * select an event? Pure.
 *
 * Written here because no maintained matcher is installable on this project's machines (AWS's own,
 * aws/event-ruler, is Java from Maven Central; the Python and npm ports are not on the registries
 * these machines reach). It implements the whole documented operator set, not the few the stack
 * uses, so that a pattern changed in the stack is matched as EventBridge would: exact values
 * (strings, numbers, booleans, null), `prefix`, `suffix` (plain or `equals-ignore-case`),
 * `equals-ignore-case`, `wildcard`, `anything-but` (values, `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`), `numeric`, `exists`, `cidr`, and `$or`; arrays in events
 * match when any element does. The tests check it against AWS's documented examples.
 */

import { isIP } from 'node:net';

type Json = unknown;
type PatternObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is PatternObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A pattern EventBridge would refuse to store. */
export class InvalidPatternError extends Error {
  constructor(message: string) {
    super(`invalid event pattern: ${message}`);
    this.name = 'InvalidPatternError';
  }
}

/** Does `event` match `pattern` (both parsed JSON)? */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new InvalidPatternError('a pattern is a JSON object');
  return matchesObject(pattern, event);
}

function matchesObject(pattern: PatternObject, value: Json): boolean {
  return Object.entries(pattern).every(([field, condition]) => {
    if (field === '$or') {
      if (!Array.isArray(condition) || condition.length < 2) throw new InvalidPatternError('$or takes an array of at least two patterns');
      return condition.some((alternative) => isObject(alternative) && matchesObject(alternative, value));
    }
    const present = isObject(value) && Object.hasOwn(value, field);
    const fieldValue = present ? (value as PatternObject)[field] : undefined;
    if (isObject(condition)) return present && matchesObject(condition, fieldValue);
    if (!Array.isArray(condition)) throw new InvalidPatternError(`"${field}" must be an object or an array of matchers`);
    return matchesLeaf(condition, present, fieldValue);
  });
}

/** A leaf: the field matches when any matcher matches (any element of it, for an array). */
function matchesLeaf(matchers: readonly unknown[], present: boolean, value: Json): boolean {
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      if (typeof matcher['exists'] !== 'boolean') throw new InvalidPatternError('exists takes true or false');
      // A field holding an object is not a leaf: exists looks at leaves only.
      const leaf = present && !isObject(value) && !(Array.isArray(value) && value.length === 0);
      return matcher['exists'] === leaf;
    }
    if (!present || isObject(value)) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((item) => matchesValue(matcher, item));
  });
}

function matchesValue(matcher: unknown, value: Json): boolean {
  if (!isObject(matcher)) return equalValues(matcher, value);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new InvalidPatternError(`a matcher has one operator, got ${JSON.stringify(matcher)}`);
  const [operator] = keys as [string];
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return (
        typeof value === 'string' &&
        stringCondition(operand, 'prefix', (wanted, ignoreCase) => fold(value, ignoreCase).startsWith(fold(wanted, ignoreCase)))
      );
    case 'suffix':
      return (
        typeof value === 'string' &&
        stringCondition(operand, 'suffix', (wanted, ignoreCase) => fold(value, ignoreCase).endsWith(fold(wanted, ignoreCase)))
      );
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new InvalidPatternError('equals-ignore-case takes a string');
      return typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      if (typeof operand !== 'string') throw new InvalidPatternError('wildcard takes a string');
      return typeof value === 'string' && wildcardMatches(operand, value);
    case 'anything-but':
      return anythingBut(operand, value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(operand, value);
    case 'cidr':
      if (typeof operand !== 'string') throw new InvalidPatternError('cidr takes a string');
      return typeof value === 'string' && inCidr(operand, value);
    default:
      throw new InvalidPatternError(`unknown operator "${operator}"`);
  }
}

const fold = (text: string, ignoreCase: boolean) => (ignoreCase ? text.toLowerCase() : text);

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }`. */
function stringCondition(operand: unknown, name: string, test: (wanted: string, ignoreCase: boolean) => boolean): boolean {
  if (typeof operand === 'string') return test(operand, false);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string' && Object.keys(operand).length === 1)
    return test(operand['equals-ignore-case'], true);
  throw new InvalidPatternError(`${name} takes a string or { "equals-ignore-case": string }`);
}

/** Numbers compare by value (300 and 3.0e2 are equal); everything else exactly. */
function equalValues(expected: unknown, value: Json): boolean {
  if (typeof expected === 'number' && typeof value === 'number') return expected === value;
  return expected === value;
}

/** `*` stands for any run of characters, `\*` for a star and `\\` for a backslash. */
export function wildcardMatches(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidPatternError(`wildcard "${pattern}": a backslash escapes only * or \\`);
      source += next === '*' ? '\\*' : '\\\\';
      i++;
    } else if (char === '*') {
      if (pattern[i + 1] === '*') throw new InvalidPatternError(`wildcard "${pattern}": consecutive stars`);
      source += '[\\s\\S]*';
    } else source += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u').test(value);
}

function anythingBut(operand: unknown, value: Json): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  if (isObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] ?? [];
    if (Object.keys(operand).length !== 1) throw new InvalidPatternError('anything-but takes one operator');
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.some((item) => typeof item !== 'string')) throw new InvalidPatternError(`anything-but ${operator} takes strings`);
    const text = String(value);
    const excluded = (item: string) => {
      switch (operator) {
        case 'prefix':
          return text.startsWith(item);
        case 'suffix':
          return text.endsWith(item);
        case 'equals-ignore-case':
          return text.toLowerCase() === item.toLowerCase();
        case 'wildcard':
          return wildcardMatches(item, text);
        default:
          throw new InvalidPatternError(`anything-but does not take "${operator}"`);
      }
    };
    return typeof value === 'string' && !(list as string[]).some(excluded);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return !excluded.some((item) => equalValues(item, value));
}

const COMPARISONS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericMatches(operand: unknown, value: number): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4)
    throw new InvalidPatternError('numeric takes one or two [operator, number] pairs');
  for (let i = 0; i < operand.length; i += 2) {
    const compare = COMPARISONS[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number') throw new InvalidPatternError(`numeric: "${operand[i]}" ${bound} is not a comparison`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

/** An address as bits: 32 for IPv4, 128 for IPv6 (an IPv4 in IPv6 form counts as IPv6). */
function addressBits(address: string): bigint | undefined {
  const version = isIP(address);
  if (version === 4) return address.split('.').reduce((bits, part) => (bits << 8n) | BigInt(Number(part)), 0n);
  if (version !== 6) return undefined;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const expand = (parts: string[]) =>
    parts.flatMap((group) =>
      group.includes('.')
        ? (() => {
            const v4 = addressBits(group) ?? 0n;
            return [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
          })()
        : [group],
    );
  const left = expand(groups(head));
  const right = tail === undefined ? [] : expand(groups(tail));
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function inCidr(cidr: string, value: string): boolean {
  const [network = '', lengthText] = cidr.split('/');
  const width = isIP(network) === 4 ? 32 : 128;
  const length = lengthText === undefined ? width : Number(lengthText);
  const net = addressBits(network);
  if (net === undefined || !Number.isInteger(length) || length < 0 || length > width) throw new InvalidPatternError(`cidr "${cidr}"`);
  const address = addressBits(value);
  if (address === undefined || isIP(value) !== isIP(network)) return false;
  const shift = BigInt(width - length);
  return address >> shift === net >> shift;
}
