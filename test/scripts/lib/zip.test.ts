import { describe, expect, it } from 'vitest';
import { createZip, readZip } from '../../../scripts/lib/zip';
import { listZip, S_IFMT, S_IFREG } from '../../support/zip-entries';

const entries = [
  { path: 'b/second.js', data: Buffer.from('second') },
  { path: 'a.js', data: Buffer.from('first'), executable: true },
  { path: 'b/a.bin', data: Buffer.alloc(10_000, 7) },
];

describe('createZip', () => {
  it('gives the same bytes whatever order the entries come in', () => {
    expect(Buffer.from(createZip(entries)).equals(Buffer.from(createZip([...entries].reverse())))).toBe(true);
  });

  it('sorts entries, fixes every timestamp to 1980-01-01 and modes to 0644/0755', async () => {
    const listed = await listZip(createZip(entries));
    expect(listed.map((entry) => entry.name)).toEqual(['a.js', 'b/a.bin', 'b/second.js']);
    for (const entry of listed) {
      expect(entry.modified.getFullYear()).toBe(1980);
      expect([entry.modified.getMonth(), entry.modified.getDate(), entry.modified.getHours(), entry.modified.getMinutes()]).toEqual([
        0, 1, 0, 0,
      ]);
      expect(entry.mode & S_IFMT).toBe(S_IFREG);
    }
    expect(listed.map((entry) => (entry.mode & 0o777).toString(8))).toEqual(['755', '644', '644']);
  });

  it('compresses, and reads back exactly what went in', () => {
    const zip = createZip(entries);
    expect(zip.byteLength).toBeLessThan(10_000);
    const files = readZip(zip);
    expect([...files.keys()].sort()).toEqual(['a.js', 'b/a.bin', 'b/second.js']);
    expect(Buffer.from(files.get('b/a.bin') as Uint8Array).equals(Buffer.alloc(10_000, 7))).toBe(true);
  });

  it('refuses duplicate paths', () => {
    expect(() => createZip([entries[0]!, entries[0]!])).toThrow(/duplicate zip entry/);
  });
});
