import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../infra/environments-file';
import { tempDir } from '../support/tmp';

const dir = tempDir('environments');
const saved = process.env['ENVIRONMENTS_FILE'];
afterEach(() => {
  if (saved === undefined) delete process.env['ENVIRONMENTS_FILE'];
  else process.env['ENVIRONMENTS_FILE'] = saved;
});

describe('readEnvironment', () => {
  it('reads a built-in environment, and one added by the environments file', () => {
    const file = join(dir, 'environments.json');
    writeFileSync(file, JSON.stringify({ staging: { namePrefix: 'thumbnails-stg' } }));
    process.env['ENVIRONMENTS_FILE'] = file;
    expect(readEnvironment('prod').namePrefix).toBe('thumbnails-prod');
    expect(readEnvironment('staging')).toMatchObject({ environment: 'staging', namePrefix: 'thumbnails-stg' });
  });

  it('refuses an unknown environment, naming those there are', () => {
    process.env['ENVIRONMENTS_FILE'] = join(dir, 'absent.json');
    expect(() => readEnvironment('qa')).toThrow('unknown environment "qa": use one of dev, prod, localstack');
  });
});
