import { describe, expect, it } from 'vitest';
import { compareVersions, compatibleStack, compatibleText, satisfies } from '../../../scripts/lib/provider-compat';
import type { TerraformJson } from '../../../scripts/lib/terraform-json';

describe('satisfies', () => {
  it.each([
    ['6.25.0', '6.25.0', true],
    ['5.100.0', '6.25.0', false],
    ['6.30.1', '>= 6.19, < 7.0', true],
    ['7.0.0', '>= 6.19, < 7.0', false],
    ['6.31.0', '~> 6.19', true],
    ['7.1.0', '~> 6.19', false],
    ['6.19.9', '~> 6.19.2', true],
    ['6.20.0', '~> 6.19.2', false],
    ['5.100.0', '!= 6.0.0', true],
  ])('%s against "%s": %s', (version, constraint, expected) => {
    expect(satisfies(version, constraint)).toBe(expected);
  });

  it('orders versions numerically, not as text', () => {
    expect(compareVersions('5.100.0', '5.99.1')).toBeGreaterThan(0);
  });
});

const stack = (): TerraformJson => ({
  terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } }, backend: { local: { path: 'x' } } },
  provider: { aws: [{ region: 'eu-west-1' }] },
  resource: {
    aws_lambda_function: { fn: { runtime: 'nodejs24.x', description: 'runs on nodejs24.x' } },
    aws_lambda_layer_version: { layer: { compatible_runtimes: ['nodejs24.x'] } },
  },
});

describe('compatibleStack', () => {
  it('changes nothing for a provider the stack admits', () => {
    const json = stack();
    expect(compatibleStack(json, '6.25.0')).toEqual({ json, substitutions: [] });
  });

  it('fits an older provider: the constraint and each value it cannot know, listed one by one', () => {
    const { json, substitutions } = compatibleStack(stack(), '5.100.0');
    expect(substitutions.map(({ path, from, to }) => [path, from, to])).toEqual([
      ['terraform.required_providers.aws.version', '6.25.0', '5.100.0'],
      ['resource.aws_lambda_function.fn.runtime', 'nodejs24.x', 'nodejs22.x'],
      ['resource.aws_lambda_layer_version.layer.compatible_runtimes[0]', 'nodejs24.x', 'nodejs22.x'],
    ]);
    expect(json.resource['aws_lambda_function']?.['fn']).toEqual({ runtime: 'nodejs22.x', description: 'runs on nodejs24.x' });
    expect((json.terraform['required_providers'] as { aws: unknown }).aws).toEqual({ source: 'aws', version: '5.100.0' });
  });

  it('leaves values a provider already knows: 6.20 takes nodejs24.x, only the constraint changes', () => {
    expect(compatibleStack(stack(), '6.20.0').substitutions.map((s) => s.path)).toEqual(['terraform.required_providers.aws.version']);
  });

  it('never changes the stack it was given', () => {
    const json = stack();
    const copy = structuredClone(json);
    compatibleStack(json, '5.100.0');
    expect(json).toEqual(copy);
  });
});

describe('expressions older providers name differently', () => {
  const adopted = (): TerraformJson =>
    ({
      terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
      provider: {},
      resource: {},
      data: {
        aws_s3_bucket: { b: { bucket: 'x', lifecycle: { postcondition: [{ condition: '${self.bucket_region == "eu-west-1"}' }] } } },
      },
    }) as TerraformJson;

  it("rewrites data.aws_s3_bucket's bucket_region to region for providers before 6.0, saying so", () => {
    const { json, substitutions } = compatibleStack(adopted(), '5.100.0');
    expect(JSON.stringify(json.data)).toContain('${self.region == \\"eu-west-1\\"}');
    expect(substitutions.map((s) => s.path)).toContain('data.aws_s3_bucket.b.lifecycle.postcondition[0].condition');
    expect(compatibleStack(adopted(), '6.0.0').substitutions.map((s) => s.path)).toEqual(['terraform.required_providers.aws.version']);
  });

  it('rewrites test files the same way', () => {
    expect(compatibleText('values = { bucket_region = "eu-west-1" }', '5.100.0').text).toBe('values = { region = "eu-west-1" }');
    expect(compatibleText('values = { bucket_region = "eu-west-1" }', '6.25.0').substitutions).toEqual([]);
  });
});
