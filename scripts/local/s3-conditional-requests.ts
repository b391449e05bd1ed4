/**
 * Two S3 guarantees s3rver lacks, added by a Koa middleware in front of its routes:
 *
 * - Conditional requests. s3rver predates S3's conditional writes (2024): it ignores If-Match and
 *   If-None-Match on PUT and DELETE, and If-Match on GET. The thumbnail function relies on them to
 *   settle races between concurrent invocations; here they are checked against the stored ETag and
 *   answered with S3's 412 PreconditionFailed.
 * - Atomic objects. s3rver writes an object's bytes in place, then its metadata, so a reader can see
 *   half a body or the previous metadata. S3 never shows a partial write. Here a write (PUT, DELETE)
 *   on a key waits for the reads before it and runs alone; reads (GET, HEAD) run together, as S3
 *   serves them (a client fetching byte ranges at once gets them at once), and a GET holds the key
 *   until its body has been sent, so a later write waits for it.
 */

interface Store {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
}

interface Context {
  readonly method: string;
  /** The Node.js response, to know when a streamed body has been sent. */
  readonly res?: { once(event: 'close', listener: () => void): unknown };
  readonly path: string;
  readonly querystring: string;
  get(header: string): string;
  status: number;
  type: string;
  body: unknown;
}

const isReadable = (value: unknown): value is AsyncIterable<Buffer> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value && typeof (value as { pipe?: unknown }).pipe === 'function';

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
    if (ifMatch.trim() !== '*' && unquote(ifMatch) !== unquote(currentEtag))
      return { status: 412, code: 'PreconditionFailed', condition: 'If-Match' };
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
  /** Per key: the last write queued, the reads under way, and how many requests hold or wait for the key. */
  const keys = new Map<string, { lastWrite: Promise<void>; reads: Set<Promise<void>>; pending: number }>();
  /** Wait for the key: a read waits for the writes queued before it; a write, for those and every read before it. Returns the release. */
  async function acquire(name: string, write: boolean): Promise<() => void> {
    const state = keys.get(name) ?? { lastWrite: Promise.resolve(), reads: new Set<Promise<void>>(), pending: 0 };
    keys.set(name, state);
    state.pending++;
    const before = write ? Promise.all([state.lastWrite, ...state.reads]) : state.lastWrite;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done = before.then(() => held);
    if (write) state.lastWrite = done;
    else state.reads.add(done);
    await before;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      state.reads.delete(done);
      if (--state.pending === 0) keys.delete(name);
    };
  }

  return async (ctx, next) => {
    const ifMatch = ctx.get('if-match') || undefined;
    const ifNoneMatch = ctx.get('if-none-match') || undefined;
    const object = objectOf(ctx.path);
    // Subresource requests (?tagging, ?uploadId...) keep s3rver's own behaviour; the SDK's ?x-id=<Operation> is not one.
    const subresource = [...new URLSearchParams(ctx.querystring).keys()].some((name) => name !== 'x-id');
    if (!object || subresource || !['GET', 'HEAD', 'PUT', 'DELETE'].includes(ctx.method)) return next();
    const release = await acquire(`${object.bucket}/${object.key}`, ctx.method === 'PUT' || ctx.method === 'DELETE');
    let streaming = false;
    try {
      // A GET with only If-None-Match is s3rver's own 304 case.
      const conditional = ifMatch !== undefined || (ifNoneMatch !== undefined && ctx.method === 'PUT');
      const exists = conditional && (await store.existsObject(object.bucket, object.key));
      const etag = exists ? (await store.getMetadata(object.bucket, object.key)).etag : undefined;
      const refusal = conditional
        ? evaluateConditions(ctx.method, { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) }, etag)
        : undefined;
      if (!refusal) {
        await next();
        // A body read from the object's file keeps the key until it is sent: no write changes the file under it.
        if (isReadable(ctx.body) && ctx.res) {
          streaming = true;
          ctx.res.once('close', release);
        }
        return;
      }
      ctx.status = refusal.status;
      if (ctx.method === 'HEAD') return;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${refusal.code}</Code><Message>At least one of the pre-conditions you specified did not hold</Message>` +
        `<Condition>${refusal.condition}</Condition><Key>${object.key.replace(/[<>&]/g, '')}</Key></Error>`;
    } finally {
      if (!streaming) release();
    }
  };
}
