// s3rver ships no type declarations; these cover what scripts/local uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  interface S3rverEventRecord {
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } };
  }

  class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    /** s3rver is a Koa application: its middleware stack, composed when the server starts. */
    middleware: ((ctx: never, next: () => Promise<void>) => Promise<void>)[];
    store: {
      existsObject(bucket: string, key: string): Promise<boolean>;
      getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
      /** The bucket, or null when there is none of that name. */
      getBucket(bucket: string): Promise<unknown>;
    };
    run(): Promise<{ address: string; port: number; family: string }>;
    close(): Promise<void>;
    on(event: 'event', listener: (event: { Records: S3rverEventRecord[] }) => void): this;
  }

  export default S3rver;
}
