/** Zip central-directory entries read with yauzl: an implementation independent of the one that wrote them. */

import yauzl from 'yauzl';

export interface ZipEntryInfo {
  readonly name: string;
  /** Unix mode from the external attributes (upper 16 bits). */
  readonly mode: number;
  readonly modified: Date;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

export function listZip(bytes: Uint8Array): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: ZipEntryInfo[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push({
          name: entry.fileName,
          mode: entry.externalFileAttributes >>> 16,
          modified: entry.getLastModDate(),
          uncompressedSize: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
        });
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
