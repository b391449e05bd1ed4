/** JSON as the handler reads it (events, its RENDITIONS variable): a plain object, not null, not an array. */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
