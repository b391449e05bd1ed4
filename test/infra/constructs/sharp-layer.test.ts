import { describe, expect, it } from 'vitest';
import { SharpLayer } from '../../../infra/constructs/sharp-layer';
import { stubLayerZip, synthConstruct } from '../../support/construct';

describe('SharpLayer', () => {
  it.each(['x86_64', 'arm64'] as const)(
    'publishes the %s zip as a layer for the function runtime and its architecture, identified by its hash, replaced before it is destroyed',
    (architecture) => {
      const zip = stubLayerZip(architecture);
      const layer = synthConstruct((scope) => new SharpLayer(scope, 'layer', { layerName: 'p-sharp', zip, architecture })).only(
        'aws_lambda_layer_version',
      );
      expect(layer.body).toMatchObject({
        layer_name: 'p-sharp',
        description: `sharp (libvips) for linux ${architecture}, glibc`,
        compatible_runtimes: ['nodejs24.x'],
        compatible_architectures: [architecture],
        source_code_hash: zip.sha256Base64,
        lifecycle: { create_before_destroy: true },
      });
    },
  );

  it('refuses a layer built for the other architecture, saying how to build the right one', () => {
    expect(() =>
      synthConstruct(
        (scope) => new SharpLayer(scope, 'layer', { layerName: 'p-sharp', zip: stubLayerZip('x86_64'), architecture: 'arm64' }),
      ),
    ).toThrow(/holds linux x86_64 binaries, but the functions run on arm64: run `make layer ARCH=arm64`/);
  });
});
