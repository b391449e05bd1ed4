/**
 * Deterministic zips: entries sorted by path, one fixed timestamp, modes reduced to 0644/0755,
 * and fflate's pure-JavaScript deflate, so the bytes do not depend on the machine's zlib, CPU,
 * time zone, umask or checkout directory.
 */

import { unzipSync, type ZipOptions, zipSync } from 'fflate';

export interface ZipEntry {
  /** Forward-slash path inside the archive. */
  readonly path: string;
  readonly data: Uint8Array;
  readonly executable?: boolean;
}

// DOS timestamps are local time; built from local fields, this is 1980-01-01 00:00 in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;

export function createZip(entries: readonly ZipEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files: Record<string, [Uint8Array, ZipOptions & { os: number; attrs: number; mtime: Date }]> = {};
  for (const entry of sorted) {
    if (entry.path in files) throw new Error(`duplicate zip entry ${entry.path}`);
    const mode = entry.executable ? 0o100755 : 0o100644;
    files[entry.path] = [entry.data, { level: 9, mtime: FIXED_MTIME, os: UNIX, attrs: mode * 0x10000 }];
  }
  return zipSync(files);
}

/** Every file in a zip, by path. */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(bytes)).filter(([path]) => !path.endsWith('/')));
}

/** Total size of a zip's files once unzipped. */
export function unzippedBytes(bytes: Uint8Array): number {
  let total = 0;
  for (const data of readZip(bytes).values()) total += data.byteLength;
  return total;
}
