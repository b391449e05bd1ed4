/**
 * Backfill manifests in S3 Batch Operations' CSV format (`S3BatchOperations_CSV_20180820`, fields
 * Bucket, Key): one object per line, keys URL-encoded as Batch requires. Pure.
 */

import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { endsWithSuffix } from '../../handlers/thumbnail/batch';

export const MANIFEST_FORMAT = 'S3BatchOperations_CSV_20180820';
export const MANIFEST_FIELDS = ['Bucket', 'Key'] as const;

/**
 * A key as a manifest carries it: every byte outside the unreserved set percent-encoded, so that
 * Batch's decoding gives the key back whether it reads `+` as a space or not (no key has a bare `+`).
 */
export const manifestKey = (key: string): string =>
  encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface ManifestEntry {
  readonly bucket: string;
  readonly key: string;
}

export function manifestCsv(entries: readonly ManifestEntry[]): string {
  return stringify(entries.map((entry) => [entry.bucket, manifestKey(entry.key)]));
}

/** The entries of a manifest this tool wrote (keys decoded). */
export function readManifestCsv(text: string): ManifestEntry[] {
  return (parse(text, { relaxColumnCount: false, skipEmptyLines: true }) as string[][]).map((row) => ({
    bucket: row[0] ?? '',
    key: decodeURIComponent(row[1] ?? ''),
  }));
}

/**
 * Keys the trigger would have delivered: under the prefix, ending in one of the suffixes
 * (case-sensitive, as S3's filters; in any case when the trigger is an EventBridge rule's).
 */
export const wanted = (key: string, suffixes: readonly string[], prefix = '', ignoreCase = false): boolean =>
  key.startsWith(prefix) && endsWithSuffix(key, suffixes, ignoreCase);
