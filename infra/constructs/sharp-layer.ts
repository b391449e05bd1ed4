import { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import type { ZipArtifact } from '../artifacts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from '../config';

export interface SharpLayerProps {
  readonly layerName: string;
  readonly zip: ZipArtifact;
}

/** sharp and its linux-x64 libvips binaries, shared by functions as a Lambda layer. */
export class SharpLayer extends Construct {
  readonly layer: LambdaLayerVersion;

  constructor(scope: Construct, id: string, props: SharpLayerProps) {
    super(scope, id);
    const asset = new TerraformAsset(this, 'zip', { path: props.zip.path, type: AssetType.FILE });
    this.layer = new LambdaLayerVersion(this, 'layer', {
      layerName: props.layerName,
      description: 'sharp (libvips) for linux x86_64, glibc',
      filename: asset.path,
      sourceCodeHash: props.zip.sha256Base64,
      compatibleRuntimes: [LAMBDA_RUNTIME],
      compatibleArchitectures: [LAMBDA_ARCHITECTURE],
      // Publish the new version before the old one is deleted, so no function points at nothing.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
