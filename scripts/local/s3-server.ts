/** A real S3-compatible server on loopback (s3rver, as serverless-s3-local uses), for local runs and tests. */

import { mkdirSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { bucketConfiguration } from './s3-bucket-configuration';
import { conditionalRequests } from './s3-conditional-requests';

/** s3rver's built-in credentials; it checks request signatures against them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3ObjectEvent {
  readonly eventName: string;
  readonly bucket: string;
  /** The key as stored (not encoded). */
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
}

export interface LocalS3 {
  readonly endpoint: string;
  readonly port: number;
  /** Called for every object created or removed, in the order the server stored them. */
  onObjectEvent(listener: (event: S3ObjectEvent) => void): void;
  /** A new S3 client for this server (path-style, local credentials); the caller destroys it. */
  client(region?: string): S3Client;
  close(): Promise<void>;
}

export interface LocalS3Options {
  readonly directory: string;
  readonly buckets: readonly string[];
  readonly port?: number;
  /** The region every bucket answers to be in (HEAD, ?location); us-east-1 by default. */
  readonly region?: string;
  /** Where bucket settings (notification configurations) are kept across restarts; in memory without one. */
  readonly configDirectory?: string;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // In front of s3rver's routes: S3's conditional writes and the bucket settings s3rver does not know.
  server.middleware.unshift(
    conditionalRequests(server.store),
    bucketConfiguration(server.store, {
      region: options.region ?? 'us-east-1',
      ...(options.configDirectory ? { directory: options.configDirectory } : {}),
    }),
  );
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    onObjectEvent(listener) {
      server.on('event', (event) => {
        for (const record of event.Records) {
          const object = record.s3.object;
          listener({
            eventName: record.eventName,
            bucket: record.s3.bucket.name,
            key: object.key,
            ...(object.size === undefined ? {} : { size: Number(object.size) }),
            ...(object.eTag === undefined ? {} : { eTag: object.eTag }),
          });
        }
      });
    },
    client: (region = 'us-east-1') =>
      new S3Client({ endpoint: `http://127.0.0.1:${port}`, region, forcePathStyle: true, credentials: LOCAL_CREDENTIALS }),
    close: () => server.close(),
  };
}
