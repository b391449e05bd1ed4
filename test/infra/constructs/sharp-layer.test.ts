import { describe, expect, it } from 'vitest';
import { SharpLayer } from '../../../infra/constructs/sharp-layer';
import { stubZip, synthConstruct } from '../../support/construct';

const ZIP = stubZip();

describe('SharpLayer', () => {
  it('publishes the zip as a layer for the function runtime and architecture, identified by its hash, replaced before it is destroyed', () => {
    const layer = synthConstruct((scope) => new SharpLayer(scope, 'layer', { layerName: 'p-sharp', zip: ZIP })).only(
      'aws_lambda_layer_version',
    );
    expect(layer.body).toMatchObject({
      layer_name: 'p-sharp',
      compatible_runtimes: ['nodejs24.x'],
      compatible_architectures: ['x86_64'],
      source_code_hash: ZIP.sha256Base64,
      lifecycle: { create_before_destroy: true },
    });
  });
});
