import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../infra/config';
import { mergeConfig, resolveEnvironments } from '../../infra/environments';
import { thrownBy } from '../support/errors';

describe('mergeConfig', () => {
  it('merges objects key by key and replaces arrays', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: 2 });
  });
});

describe('resolveEnvironments', () => {
  it('has dev, prod, localstack and the adopted-bucket example built in, each with its own name prefix', () => {
    const environments = resolveEnvironments();
    expect([...environments.keys()]).toEqual(['dev', 'prod', 'localstack', 'adopted']);
    expect(environments.get('adopted')).toMatchObject({
      namePrefix: 'thumbnails-adopted',
      originals: { existingBucket: 'acme-photo-uploads', delivery: 'eventbridge', prefix: 'uploads/' },
    });
    expect(environments.get('dev')).toMatchObject({ environment: 'dev', namePrefix: 'thumbnails-dev', forceDestroyBuckets: true });
    expect(environments.get('prod')).toMatchObject({
      environment: 'prod',
      namePrefix: 'thumbnails-prod',
      forceDestroyBuckets: false,
      logRetentionDays: 365,
    });
    expect(environments.get('localstack')).toMatchObject({ endpoint: 'http://localhost:4566' });
  });

  it('adjusts a built-in environment and adds new ones from the file', () => {
    const environments = resolveEnvironments({
      prod: { region: 'eu-west-1', thumbnail: { memoryMB: 2048 } },
      staging: { logRetentionDays: 60 },
    });
    expect(environments.get('prod')).toMatchObject({
      region: 'eu-west-1',
      thumbnail: { memoryMB: 2048, renditions: [{ name: 'thumbnail', width: 100, format: 'jpeg', quality: 80 }], reservedConcurrency: 50 },
    });
    expect(environments.get('staging')).toMatchObject({ environment: 'staging', namePrefix: 'thumbnails-staging', logRetentionDays: 60 });
  });

  it('names the environment and the setting when the file is wrong', () => {
    const error = thrownBy(() => resolveEnvironments({ staging: { thumbnail: { renditions: 'wide' } } }));
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(/environment "staging"/);
    expect((error as Error).message).toMatch(/thumbnail\.renditions/);
  });

  it('refuses a file that is not an object of environments', () => {
    expect(() => resolveEnvironments(['dev'])).toThrow(ConfigValidationError);
    expect(() => resolveEnvironments({ dev: 'big' })).toThrow(/dev: must be an object/);
  });
});

describe('likelyTypos', () => {
  it('names a name one slip away from a built-in environment, and nothing else', async () => {
    const { likelyTypos } = await import('../../infra/environments');
    expect(likelyTypos(['devv', 'prd', 'Dev', 'staging', 'dev', 'localstak', 'team-a'])).toEqual([
      { name: 'devv', meant: 'dev' },
      { name: 'prd', meant: 'prod' },
      { name: 'Dev', meant: 'dev' },
      { name: 'localstak', meant: 'localstack' },
    ]);
  });
});
