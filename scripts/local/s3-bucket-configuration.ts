/**
 * Bucket settings s3rver does not keep, added by a Koa middleware in front of its routes, so that
 * the local S3 answers what `make plan` and the local runner ask an adopted bucket:
 *
 * - the notification configuration (`GET` / `PUT /<bucket>?notification`): kept as the XML it was
 *   given, one file per bucket, and returned as written (an empty configuration when none was);
 * - its region (`GET /<bucket>?location`, and the `x-amz-bucket-region` header of `HEAD /<bucket>`).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';

interface Store {
  getBucket(bucket: string): Promise<unknown>;
}

interface Context {
  readonly method: string;
  readonly path: string;
  readonly querystring: string;
  readonly req: AsyncIterable<Buffer>;
  status: number;
  type: string;
  body: unknown;
  set(header: string, value: string): void;
}

type Middleware = (ctx: Context, next: () => Promise<void>) => Promise<void>;

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface BucketConfigurationOptions {
  /** Where each bucket's notification configuration is kept (`<bucket>.notification.xml`); in memory without one. */
  readonly directory?: string;
  /** The region every bucket is in. */
  readonly region: string;
}

const noSuchBucket = (ctx: Context, bucket: string) => {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${bucket}</BucketName></Error>`;
};

export function bucketConfiguration(store: Store, options: BucketConfigurationOptions): Middleware {
  const { directory } = options;
  if (directory) mkdirSync(directory, { recursive: true });
  const kept = new Map<string, string>();
  const fileOf = (bucket: string) => join(directory ?? '', `${encodeURIComponent(bucket)}.notification.xml`);
  const read = (bucket: string) =>
    directory ? (existsSync(fileOf(bucket)) ? readFileSync(fileOf(bucket), 'utf8') : undefined) : kept.get(bucket);
  const write = (bucket: string, xml: string) => (directory ? writeFileSync(fileOf(bucket), xml) : kept.set(bucket, xml));
  return async (ctx, next) => {
    const match = /^\/([^/]+)\/?$/.exec(ctx.path);
    if (!match) return next();
    const bucket = decodeURIComponent(match[1] as string);
    const query = new URLSearchParams(ctx.querystring);
    if (ctx.method === 'HEAD' && [...query.keys()].length === 0) {
      await next();
      if (ctx.status === 200) ctx.set('x-amz-bucket-region', options.region);
      return;
    }
    const asks = (name: string) => query.has(name);
    if (!asks('notification') && !asks('location')) return next();
    if (!(await store.getBucket(bucket))) return noSuchBucket(ctx, bucket);
    ctx.type = 'application/xml';
    if (asks('location') && ctx.method === 'GET') {
      // S3 leaves us-east-1 empty.
      const region = options.region === 'us-east-1' ? '' : options.region;
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${XMLNS}">${region}</LocationConstraint>`;
      return;
    }
    if (asks('notification') && ctx.method === 'GET') {
      ctx.body = read(bucket) ?? `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="${XMLNS}"/>`;
      return;
    }
    if (asks('notification') && ctx.method === 'PUT') {
      write(bucket, await text(ctx.req));
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    return next();
  };
}
