/** The real packaged artifacts, synthesized into a throwaway stack folder and run by the local pipeline. */

import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { App } from 'cdktf';
import { ENV } from '../../handlers/thumbnail/constants';
import { readBuiltArtifacts } from '../../infra/artifacts';
import { stackName } from '../../infra/names';
import { ThumbnailStack } from '../../infra/stacks/thumbnail-stack';
import { LocalPipeline, type LocalPipelineOptions } from '../../scripts/local/pipeline';
import { devConfig } from './stack';
import { tempDir } from './tmp';

export function synthRealStack(configOverrides: Record<string, unknown> = {}): string {
  const outdir = tempDir('local-stack');
  const app = new App({ outdir });
  new ThumbnailStack(app, stackName('dev'), { config: devConfig(configOverrides), artifacts: readBuiltArtifacts() });
  app.synth();
  return join(outdir, 'stacks', stackName('dev'));
}

export async function startLocalStack(
  configOverrides: Record<string, unknown> = {},
  options: Partial<LocalPipelineOptions> = {},
): Promise<LocalPipeline> {
  return LocalPipeline.start({
    stackDir: options.stackDir ?? synthRealStack(configOverrides),
    dataDir: options.dataDir ?? tempDir('local-data'),
    reset: true,
    concurrency: 2,
    duplicateRate: 0,
    retryDelaysMs: [20, 40],
    ...options,
  });
}

/** A started local stack with what nearly every end-to-end test reaches for. */
export interface LocalStackSession {
  readonly pipeline: LocalPipeline;
  /** An S3 client pointed at the local server. */
  readonly client: S3Client;
  /** The bucket whose uploads trigger the thumbnail function. */
  readonly originals: string;
  /** The bucket the thumbnail function writes to, as its environment names it. */
  readonly thumbnails: string;
  close(): Promise<void>;
}

export async function openLocalStack(
  configOverrides: Record<string, unknown> = {},
  options: Partial<LocalPipelineOptions> = {},
): Promise<LocalStackSession> {
  const pipeline = await startLocalStack(configOverrides, options);
  const client = pipeline.s3Client();
  return {
    pipeline,
    client,
    originals: pipeline.buckets.triggering[0] as string,
    thumbnails: pipeline.functionVariable('thumbnail', ENV.destinationBucket),
    close: async () => {
      client.destroy();
      await pipeline.close();
    },
  };
}
