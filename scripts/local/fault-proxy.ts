/**
 * A fault-injecting HTTP proxy in front of the local S3 server, for the functions only: a share of
 * requests is answered with 500 InternalError, 503 SlowDown or 503 ServiceUnavailable, or stalls
 * until the client gives up, the way S3 misbehaves under load. The choice is seeded, so a run can be
 * repeated. It can also add a network round trip to every request (and the TCP and TLS handshakes'
 * round trips to each new connection), so loopback behaves like S3 in the same region.
 */

import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export const FAULT_KINDS = ['InternalError', 'SlowDown', 'ServiceUnavailable', 'stall'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Share of requests that fail, 0..1. */
  readonly share: number;
  readonly kinds?: readonly FaultKind[];
  readonly seed?: number;
  /** How long a stalled request hangs before the proxy drops it (the client's timeout should fire first). */
  readonly stallMs?: number;
  /** Round-trip time added to every request before it is forwarded (0: loopback's own). */
  readonly latencyMs?: number;
  /**
   * Round trips a new connection costs before its first request (TCP's handshake and TLS 1.3's:
   * 2 for HTTPS, as to S3), added to that request. Counted only when latencyMs is set.
   */
  readonly handshakeRtts?: number;
  /**
   * Bytes per second each response body is paced to (0 or absent: loopback's own), as one S3 GET
   * stream is limited (roughly 50-100 MB/s from a Lambda function): per connection, so parallel
   * requests each get their own.
   */
  readonly downloadBytesPerSecond?: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen, faults injected by kind, and response body bytes passed on to clients. */
  readonly stats: { requests: number; faults: Record<FaultKind, number>; bytesSent: number };
  close(): Promise<void>;
}

const STATUS: Record<Exclude<FaultKind, 'stall'>, number> = { InternalError: 500, SlowDown: 503, ServiceUnavailable: 503 };

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    request.on('data', () => undefined);
    request.on('end', resolve);
    request.on('error', () => resolve());
  });
}

/** Slices of at most this many bytes are released at a time, so pacing is smooth at any chunk size. */
const PACE_SLICE = 16 * 1024;

/** A body paced to `bytesPerSecond`: each slice leaves no earlier than its share of the time since the first byte. */
export function pace(bytesPerSecond: number): Transform {
  let started: number | undefined;
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      started ??= performance.now();
      const slices: Buffer[] = [];
      for (let at = 0; at < chunk.length; at += PACE_SLICE) slices.push(chunk.subarray(at, at + PACE_SLICE));
      const next = () => {
        const slice = slices.shift();
        if (!slice) return callback();
        sent += slice.length;
        const dueMs = (started as number) + (sent / bytesPerSecond) * 1000 - performance.now();
        this.push(slice);
        if (dueMs > 0) setTimeout(next, dueMs);
        else next();
      };
      next();
    },
  });
}

export async function startFaultProxy(target: string, options: FaultOptions): Promise<FaultProxy> {
  const kinds = options.kinds ?? FAULT_KINDS;
  const random = seeded(options.seed ?? 42);
  const stats = {
    requests: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>,
    bytesSent: 0,
  };
  const upstream = new URL(target);
  const stalled = new Set<ServerResponse>();
  const latencyMs = options.latencyMs ?? 0;
  const handshakeMs = latencyMs * (options.handshakeRtts ?? 2);
  const connected = new WeakSet<object>();

  const server = createServer(async (request, response) => {
    stats.requests += 1;
    if (latencyMs > 0) {
      const first = !connected.has(request.socket);
      connected.add(request.socket);
      await new Promise((resolve) => setTimeout(resolve, latencyMs + (first ? handshakeMs : 0)));
    }
    if (random() < options.share) {
      const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind;
      stats.faults[kind] += 1;
      await drain(request);
      if (kind === 'stall') {
        stalled.add(response);
        setTimeout(() => {
          stalled.delete(response);
          response.destroy();
        }, options.stallMs ?? 30_000).unref();
        return;
      }
      response.writeHead(STATUS[kind], { 'content-type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${kind}</Code><Message>injected fault</Message></Error>`);
      return;
    }
    const proxied = forward(
      { hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        const body = options.downloadBytesPerSecond ? upstreamResponse.pipe(pace(options.downloadBytesPerSecond)) : upstreamResponse;
        body.on('data', (chunk: Buffer) => {
          stats.bytesSent += chunk.length;
        });
        body.pipe(response);
        // A client that hangs up stops the body: nothing more is read or paced for it.
        response.on('close', () => {
          if (!response.writableFinished) upstreamResponse.destroy();
        });
      },
    );
    proxied.on('error', () => response.destroy());
    request.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of stalled) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
