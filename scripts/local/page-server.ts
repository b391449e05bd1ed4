/**
 * The local page of `make local ARGS=--serve`: a small web server on loopback that serves one page
 * (scripts/local/page/) and its API. Uploads given to the page go to the originals bucket, and
 * every event the stack delivers comes back to the page as it happens (server-sent events): the
 * original and every output as images on the local S3 server, or the refusal and its reason. The
 * failure queue is listed, and redriven, from the page. No framework: Node's http module.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ROOT } from '../../lib/paths';
import { type ReplayOutcome, redrive, summarize } from '../redrive';
import { objectUrl, type PageEvent, pageEvent } from './page-events';
import type { LocalPipeline } from './pipeline';

const PAGE_DIR = join(ROOT, 'scripts', 'local', 'page');
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
/** Uploads larger than the function takes are refused by it, with its reason; the page takes a little more, so that is seen. */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

export interface PageServerOptions {
  readonly pipeline: LocalPipeline;
  readonly originals: string;
  readonly thumbnails: string;
  /** Where uploads go under the originals bucket (an adopted bucket's prefix). */
  readonly uploadPrefix: string;
  readonly failureQueue: string | undefined;
  readonly port?: number;
}

export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The name a browser gives a file, as a key segment: no path, no control characters. */
export function uploadKey(prefix: string, fileName: string): string | undefined {
  const name = [...basename(fileName.replace(/\\/g, '/'))].filter((character) => character >= ' ' && character !== '\u007f').join('');
  if (name === '' || name === '.' || name === '..') return undefined;
  return `${prefix}uploads/${name}`;
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPLOAD_BYTES) throw Object.assign(new Error(`larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const { pipeline, originals, thumbnails, uploadPrefix, failureQueue } = options;
  const endpoint = pipeline.s3.endpoint;
  const client = pipeline.s3Client();
  const events: PageEvent[] = [];
  const streams = new Set<ServerResponse>();
  let nextId = 1;
  pipeline.onDelivery((delivery) => {
    const event = pageEvent(nextId++, delivery, endpoint, thumbnails);
    events.push(event);
    if (events.length > 200) events.shift();
    for (const stream of streams) stream.write(`id: ${event.id}\nevent: delivery\ndata: ${JSON.stringify(event)}\n\n`);
  });

  const failures = () =>
    pipeline.failureRecords().map((record) => {
      const summary = summarize(JSON.stringify(record));
      return {
        key: summary?.key,
        errorType: summary?.errorType,
        condition: summary?.condition,
        reason: (record.responsePayload as { errorMessage?: string } | undefined)?.errorMessage,
        url: summary?.key ? objectUrl(endpoint, originals, summary.key) : undefined,
      };
    });

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void> = {
    'GET /api/config': (_, response) =>
      send(response, 200, { originals, thumbnails, uploadPrefix, s3Endpoint: endpoint, region: pipeline.model.region }),
    'GET /api/events': (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      // What happened before the page was opened (or since its last connection), then every new event as it comes.
      const last = Number(request.headers['last-event-id'] ?? 0) || 0;
      for (const event of events.filter((candidate) => candidate.id > last))
        response.write(`id: ${event.id}\nevent: delivery\ndata: ${JSON.stringify(event)}\n\n`);
      response.write(': connected\n\n');
      streams.add(response);
      request.on('close', () => streams.delete(response));
    },
    'POST /api/upload': async (request, response, url) => {
      const key = uploadKey(uploadPrefix, url.searchParams.get('name') ?? '');
      if (!key) return send(response, 400, { error: 'a file name is needed (?name=photo.jpg)' });
      const body = await readBody(request);
      await client.send(
        new PutObjectCommand({
          Bucket: originals,
          Key: key,
          Body: body,
          ContentType: request.headers['content-type'] ?? 'application/octet-stream',
        }),
      );
      send(response, 200, { bucket: originals, key, bytes: body.length, url: objectUrl(endpoint, originals, key) });
    },
    'GET /api/failures': (_, response) => send(response, 200, { queue: failureQueue ?? null, records: failures() }),
    'POST /api/redrive': async (_, response) => {
      if (!failureQueue) return send(response, 404, { error: 'this stack has no failure queue' });
      const sqs = pipeline.newSqsClient();
      try {
        const replay = async (event: unknown): Promise<ReplayOutcome> => {
          const report = await pipeline.invoke('thumbnail', event);
          if (!report.ok) throw new Error(report.error?.errorMessage ?? 'the invocation failed');
          return ((report.result as { failed?: number } | undefined)?.failed ?? 0) > 0 ? 'failed' : 'processed';
        };
        const report = await redrive(sqs, pipeline.queueUrlOf(failureQueue), replay, { dryRun: false, limit: 1000 });
        send(response, 200, {
          processed: report.replayed.filter((record) => record.outcome === 'processed').length,
          failedAgain: report.replayed.filter((record) => record.outcome === 'failed').length,
          notReplayed: report.failedToReplay,
        });
      } finally {
        sqs.destroy();
      }
    },
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const asset = request.method === 'GET' ? ASSETS[url.pathname] : undefined;
    if (asset) {
      response.writeHead(200, { 'content-type': TYPES[asset.split('.').pop() ?? ''] ?? 'text/plain', 'cache-control': 'no-store' });
      response.end(readFileSync(join(PAGE_DIR, asset)));
      return;
    }
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) return send(response, 404, { error: `no ${request.method} ${url.pathname}` });
    Promise.resolve(route(request, response, url)).catch((error: Error & { status?: number }) => {
      if (!response.headersSent) send(response, error.status ?? 500, { error: error.message });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the page uploads into and reads from the local stack.
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
