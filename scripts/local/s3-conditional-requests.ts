/**
 * Conditional requests for the local S3 server. s3rver predates S3's conditional writes (2024):
 * it ignores If-Match and If-None-Match on PUT and DELETE, and If-Match on GET. The thumbnail
 * function relies on them to settle races between concurrent invocations, so this Koa middleware,
 * placed in front of s3rver's routes, enforces them: per key, one conditional request at a time,
 * checked against the stored ETag, answered with S3's 412 PreconditionFailed.
 */

interface Store {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
}

interface Context {
  readonly method: string;
  readonly path: string;
  readonly querystring: string;
  get(header: string): string;
  status: number;
  type: string;
  body: unknown;
}

type Middleware = (ctx: Context, next: () => Promise<void>) => Promise<void>;

const unquote = (etag: string) => etag.trim().replace(/^W\//, '').replace(/"/g, '');

/** What S3 answers, given a request's conditions and the object's current ETag (undefined: absent). Pure. */
export function evaluateConditions(
  method: string,
  conditions: { ifMatch?: string; ifNoneMatch?: string },
  currentEtag: string | undefined,
): { status: 412 | 404; code: 'PreconditionFailed' | 'NoSuchKey'; condition: string } | undefined {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifNoneMatch !== undefined && method === 'PUT') {
    if (currentEtag !== undefined && (ifNoneMatch.trim() === '*' || unquote(ifNoneMatch) === unquote(currentEtag)))
      return { status: 412, code: 'PreconditionFailed', condition: 'If-None-Match' };
  }
  if (ifMatch !== undefined) {
    if (currentEtag === undefined) return method === 'DELETE' ? undefined : { status: 404, code: 'NoSuchKey', condition: 'If-Match' };
    if (ifMatch.trim() !== '*' && unquote(ifMatch) !== unquote(currentEtag)) return { status: 412, code: 'PreconditionFailed', condition: 'If-Match' };
  }
  return undefined;
}

/** Path-style object requests only (`/<bucket>/<key>`), which is what clients use with an IP endpoint. */
function objectOf(path: string): { bucket: string; key: string } | undefined {
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return undefined;
  return { bucket: decodeURIComponent(match[1] as string), key: decodeURIComponent(match[2] as string) };
}

export function conditionalRequests(store: Store): Middleware {
  const locks = new Map<string, Promise<void>>();
  async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(name) ?? Promise.resolve();
    let release = () => {};
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    locks.set(name, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (locks.get(name) === chained) locks.delete(name);
    }
  }

  return async (ctx, next) => {
    const ifMatch = ctx.get('if-match') || undefined;
    const ifNoneMatch = ctx.get('if-none-match') || undefined;
    const object = objectOf(ctx.path);
    // Subresource requests (?tagging, ?uploadId...) keep s3rver's own behaviour; the SDK's ?x-id=<Operation> is not one.
    const subresource = [...new URLSearchParams(ctx.querystring).keys()].some((name) => name !== 'x-id');
    if (!object || (!ifMatch && !ifNoneMatch) || subresource || !['GET', 'HEAD', 'PUT', 'DELETE'].includes(ctx.method)) return next();
    // A GET with If-None-Match is s3rver's own 304 case.
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && !ifMatch) return next();
    await withLock(`${object.bucket}/${object.key}`, async () => {
      const exists = await store.existsObject(object.bucket, object.key);
      const etag = exists ? (await store.getMetadata(object.bucket, object.key)).etag : undefined;
      const refusal = evaluateConditions(ctx.method, { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) }, etag);
      if (!refusal) return next();
      ctx.status = refusal.status;
      if (ctx.method === 'HEAD') return;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${refusal.code}</Code><Message>At least one of the pre-conditions you specified did not hold</Message>` +
        `<Condition>${refusal.condition}</Condition><Key>${object.key.replace(/[<>&]/g, '')}</Key></Error>`;
    });
  };
}
