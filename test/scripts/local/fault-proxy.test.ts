import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../../scripts/local/fault-proxy';

let target: ReturnType<typeof createServer>;
let targetUrl: string;

beforeAll(async () => {
  target = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => res.end(`echo ${req.method} ${req.url} ${body}`));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

function call(endpoint: string, timeoutMs = 2000, agent?: Agent): Promise<{ status: number; body: string } | 'timeout'> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/bucket/key?x=1`, { method: 'PUT', timeout: timeoutMs, agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('timeout'));
    req.end('payload');
  });
}

describe('fault proxy', () => {
  it('forwards requests untouched when no fault is drawn', async () => {
    const proxy = await startFaultProxy(targetUrl, { share: 0 });
    expect(await call(proxy.endpoint)).toEqual({ status: 200, body: 'echo PUT /bucket/key?x=1 payload' });
    await proxy.close();
  });

  it.each([
    ['InternalError', 500],
    ['SlowDown', 503],
    ['ServiceUnavailable', 503],
  ] as const)("answers %s with HTTP %i and S3's error body", async (kind, status) => {
    const proxy = await startFaultProxy(targetUrl, { share: 1, kinds: [kind] });
    const response = await call(proxy.endpoint);
    expect(response).toMatchObject({ status, body: expect.stringContaining(`<Code>${kind}</Code>`) });
    expect(proxy.stats.faults[kind]).toBe(1);
    await proxy.close();
  });

  it('stalls until the client gives up', async () => {
    const proxy = await startFaultProxy(targetUrl, { share: 1, kinds: ['stall'], stallMs: 10_000 });
    expect(await call(proxy.endpoint, 300)).toBe('timeout');
    await proxy.close();
  });

  it('draws the same faults for the same seed', async () => {
    const draws = async () => {
      const proxy = await startFaultProxy(targetUrl, { share: 0.5, seed: 3, kinds: ['InternalError'] });
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push(((await call(proxy.endpoint)) as { status: number }).status);
      await proxy.close();
      return statuses;
    };
    const first = await draws();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await draws()).toEqual(first);
  });

  it('adds a round trip to every request, and the handshakes to the first on each connection', async () => {
    const latencyMs = 100;
    const proxy = await startFaultProxy(targetUrl, { share: 0, latencyMs, handshakeRtts: 2 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const timed = async () => {
      const started = performance.now();
      expect(await call(proxy.endpoint, 5000, agent)).toMatchObject({ status: 200 });
      return performance.now() - started;
    };
    const first = await timed();
    const reused = await timed();
    agent.destroy();
    const fresh = await timed();
    expect(first).toBeGreaterThanOrEqual(3 * latencyMs - 1);
    expect(reused).toBeGreaterThanOrEqual(latencyMs - 1);
    expect(reused).toBeLessThan(3 * latencyMs);
    expect(fresh).toBeGreaterThanOrEqual(3 * latencyMs - 1);
    await proxy.close();
  });
});
