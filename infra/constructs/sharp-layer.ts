import { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import type { Architecture } from '../../lib/architectures';
import type { LayerArtifact } from '../artifacts';
import { LAMBDA_RUNTIME } from '../config';

export interface SharpLayerProps {
  readonly layerName: string;
  readonly zip: LayerArtifact;
  /** The architecture of the functions that use it. */
  readonly architecture: Architecture;
}

/** sharp and its linux libvips binaries for one architecture, shared by functions as a Lambda layer; refuses a zip built for another. */
export class SharpLayer extends Construct {
  readonly layer: LambdaLayerVersion;
  readonly architecture: Architecture;

  constructor(scope: Construct, id: string, props: SharpLayerProps) {
    super(scope, id);
    if (props.zip.architecture !== props.architecture)
      throw new Error(
        `the sharp layer ${props.zip.path} holds ${props.zip.architecture ? `linux ${props.zip.architecture}` : 'no linux'} binaries, but the functions run on ${props.architecture}: ` +
          `run \`make layer ARCH=${props.architecture}\``,
      );
    this.architecture = props.architecture;
    const asset = new TerraformAsset(this, 'zip', { path: props.zip.path, type: AssetType.FILE });
    this.layer = new LambdaLayerVersion(this, 'layer', {
      layerName: props.layerName,
      description: `sharp (libvips) for linux ${props.architecture}, glibc`,
      filename: asset.path,
      sourceCodeHash: props.zip.sha256Base64,
      compatibleRuntimes: [LAMBDA_RUNTIME],
      compatibleArchitectures: [props.architecture],
      // Publish the new version before the old one is deleted, so no function points at nothing.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
