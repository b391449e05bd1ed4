import { describe, expect, it } from 'vitest';
import { resolveReferences, UnresolvedReferenceError } from '../../../scripts/lib/terraform-refs';
import { bucketRoles, bucketsOfPattern, localResolver, readStackModel } from '../../../scripts/local/stack-model';
import { devConfig, fakeArtifacts, synthStack } from '../../support/stack';
import { tempDir } from '../../support/tmp';

const json = synthStack(
  devConfig({ thumbnail: { triggerSuffixes: ['.jpg', '.jpeg'], reservedConcurrency: 3 }, asyncInvoke: { maximumRetryAttempts: 1 } }),
  fakeArtifacts(tempDir('model')),
);
const model = readStackModel(json);
const resolve = (value: string) =>
  resolveReferences(value, localResolver(model, { accountId: '000000000000', sqsEndpoint: 'http://127.0.0.1:9324' }));

describe('readStackModel', () => {
  it('gives each bucket a fixed local name from its prefix', () => {
    expect(model.buckets.map((bucket) => bucket.localName).sort()).toEqual([
      'thumbnails-dev-jobs-local',
      'thumbnails-dev-originals-local',
      'thumbnails-dev-thumbnails-local',
    ]);
  });

  it('reads the functions: source folder, handler, memory, timeout, layers, concurrency', () => {
    const thumbnail = model.functions.find((fn) => fn.source === 'thumbnail');
    expect(thumbnail).toMatchObject({
      functionName: 'thumbnails-dev-thumbnail',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      memoryMB: 1024,
      timeoutSeconds: 30,
      reservedConcurrency: 3,
    });
    expect(thumbnail?.layerAddresses).toHaveLength(1);
    expect(model.layers.get(thumbnail?.layerAddresses[0] ?? '')?.zipPath).toMatch(/\.zip$/);
    expect(model.functions.find((fn) => fn.source === 'calculator')?.layerAddresses).toEqual([]);
  });

  it('reads every notification rule with its events and filters', () => {
    expect(model.rules.map((rule) => [rule.events, rule.filterSuffix])).toEqual([
      [['s3:ObjectCreated:*'], '.jpg'],
      [['s3:ObjectCreated:*'], '.jpeg'],
      [['s3:ObjectRemoved:*'], '.jpg'],
      [['s3:ObjectRemoved:*'], '.jpeg'],
    ]);
  });

  it('reads the async invoke config and its on-failure destination', () => {
    const [config] = [...model.asyncInvoke.values()];
    expect(config).toMatchObject({
      maximumRetryAttempts: 1,
      maximumEventAgeSeconds: 21600,
      onFailure: expect.stringMatching(/^\$\{aws_sqs_queue\..+\.arn\}$/),
    });
  });
});

describe('localResolver', () => {
  it('resolves the function environment to local names', () => {
    const env = model.functions.find((fn) => fn.source === 'thumbnail')?.environment ?? {};
    expect(resolve(env['SOURCE_BUCKET'] ?? '')).toBe('thumbnails-dev-originals-local');
    expect(resolve(env['THUMBNAIL_BUCKET'] ?? '')).toBe('thumbnails-dev-thumbnails-local');
    expect(resolve(env['FAILURE_QUEUE_URL'] ?? '')).toBe('http://127.0.0.1:9324/000000000000/thumbnails-dev-thumbnail-failures');
    expect(resolve(env['EXPECTED_BUCKET_OWNER'] ?? '')).toBe('000000000000');
  });

  it('resolves references inside policy documents', () => {
    expect(resolve('{"Resource":"${aws_s3_bucket.image-buckets_originals_bucket_F0E31474.arn}/*"}')).toBe(
      '{"Resource":"arn:aws:s3:::thumbnails-dev-originals-local/*"}',
    );
  });

  it('refuses references it does not model, instead of guessing', () => {
    expect(() => resolve('${aws_kms_key.k.arn}')).toThrow(UnresolvedReferenceError);
    expect(() => resolve('${aws_s3_bucket.nope.arn}')).toThrow(/cannot resolve \$\{aws_s3_bucket\.nope\.arn\}/);
  });
});

describe('readStackModel, a stack adopting a bucket through EventBridge', () => {
  const adopted = readStackModel(
    synthStack(
      devConfig({ originals: { existingBucket: 'acme-photo-uploads', prefix: 'uploads/' } }),
      fakeArtifacts(tempDir('model-adopted')),
    ),
  );
  const resolveAdopted = (value: string) =>
    resolveReferences(value, localResolver(adopted, { accountId: '000000000000', sqsEndpoint: 'http://127.0.0.1:9324' }));

  it('knows the adopted bucket by its own name, as one the stack only looks up', () => {
    expect(adopted.buckets.filter((bucket) => bucket.adopted).map((bucket) => bucket.localName)).toEqual(['acme-photo-uploads']);
    expect(bucketRoles(adopted).triggering).toEqual(['acme-photo-uploads']);
  });

  it("reads the rule's pattern and its target, and resolves references to the lookup and the rule", () => {
    const [rule] = adopted.eventRules;
    expect(rule?.name).toBe('thumbnails-dev-uploads');
    expect(bucketsOfPattern(rule?.pattern ?? {})).toEqual(['acme-photo-uploads']);
    expect(rule?.targets.map((target) => target.functionAddress)).toEqual([
      adopted.functions.find((fn) => fn.source === 'thumbnail')?.address,
    ]);
    const thumbnail = adopted.functions.find((fn) => fn.source === 'thumbnail');
    expect(resolveAdopted(thumbnail?.environment['SOURCE_BUCKET'] ?? '')).toBe('acme-photo-uploads');
    expect(resolveAdopted(`\${${rule?.address}.arn}`)).toBe('arn:aws:events:ap-northeast-1:000000000000:rule/thumbnails-dev-uploads');
  });
});
