import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '../../lib/json-file';
import { tempDir } from '../support/tmp';

const dir = tempDir('json-file');

describe('readJsonFile', () => {
  it('parses a JSON file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, '{"a": [1, 2]}');
    expect(readJsonFile(path, { missingHint: 'unused' })).toEqual({ a: [1, 2] });
  });

  it('names a missing file, what it is and where such files come from', () => {
    expect(() => readJsonFile(join(dir, 'nope.json'), { what: 'event file', missingHint: 'examples are in events/' })).toThrow(
      `event file ${join(dir, 'nope.json')} does not exist (examples are in events/)`,
    );
  });

  it('names a file that is not JSON', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"a": ');
    expect(() => readJsonFile(path, { missingHint: 'unused' })).toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON: `),
    );
  });
});
