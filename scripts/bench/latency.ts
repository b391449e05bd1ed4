/**
 * Ours beside the simplest handler that could do the job (scripts/bench/reference-handler.ts:
 * client-s3 and sharp, GET, resize, PUT), both packaged and run in the Lambda-like layout on the
 * Lambda Node.js, against the same S3 server behind a proxy that behaves like S3 in the same
 * region: a round trip added to every request (and TCP + TLS handshakes to every new connection),
 * and each download paced to one S3 GET stream's bandwidth. Cold start (a fresh process: require
 * the handler, then one small event), and per photo (12 MP and larger) its first event in a fresh
 * process and warm end to end (one process, one event after another), with CPU per invocation.
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENV } from '../../handlers/thumbnail/constants';
import { layerZipPath } from '../../lib/architectures';
import { functionZipPath, ROOT } from '../../lib/paths';
import { bundleHandler } from '../build';
import { createZip } from '../lib/zip';
import { startFaultProxy } from '../local/fault-proxy';
import { type LambdaNode, lambdaNodeBinary } from '../local/lambda-node';
import { extractLambdaLayout, lambdaNodePath } from '../local/layout';
import { SequencerClock } from '../local/s3-events';
import { LOCAL_CREDENTIALS, startLocalS3 } from '../local/s3-server';
import { uploadEvent } from '../local/upload-event';
import type { Steps } from './reference-handler';
import { median } from './stats';

export const HANDLERS = ['ours', 'reference', 'reference + logs and metrics'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** How far S3 is: a round trip added to every request, and each download's bandwidth (per connection). */
export interface Network {
  readonly latencyMs: number;
  /** MB/s each response body is paced to; absent: loopback's own. */
  readonly downloadMBps?: number;
}

export const describeNetwork = (network: Network): string =>
  network.latencyMs === 0 && !network.downloadMBps
    ? '0 ms'
    : `${network.latencyMs} ms${network.downloadMBps ? ` + ${network.downloadMBps} MB/s` : ''}`;

export const sameNetwork = (a: Network, b: Network): boolean =>
  a.latencyMs === b.latencyMs && (a.downloadMBps ?? 0) === (b.downloadMBps ?? 0);

export interface LatencyPhoto {
  readonly name: string;
  readonly megapixels: number;
  readonly bytes: Buffer;
}

export interface LatencyOptions {
  readonly networks: readonly Network[];
  /** Fresh processes per handler and network for the cold start on the small event. */
  readonly coldRuns: number;
  /** Fresh processes per handler, network and photo, the photo as the first event. */
  readonly photoColdRuns: number;
  /** Timed warm invocations per handler, network and photo (after two untimed ones). */
  readonly warmRuns: number;
  /** The cold start's event: a small JPEG, so the figure is about starting, not decoding. */
  readonly small: Buffer;
  /** The photos timed end to end: 12 MP first, then larger. */
  readonly photos: readonly LatencyPhoto[];
}

export interface ColdStart {
  /** Median wall time of a fresh process: start Node.js, require the handler, one invocation. */
  readonly totalMs: number;
  readonly initMs: number;
  readonly firstInvokeMs: number;
}

export interface PhotoTiming {
  readonly photo: string;
  readonly megapixels: number;
  /** Median wall time of a fresh process whose first event is this photo: start, require, invoke. */
  readonly coldMs: number;
  /** Median wall time of one warm invocation on it. */
  readonly warmMs: number;
  /** Median CPU time of the function's process in that invocation (all threads: libvips' too). */
  readonly warmCpuMs: number;
  /** S3 requests per warm invocation, as the proxy counted them. */
  readonly warmRequests: number;
  /** The reference's own steps, warm (medians): what a handler that does only these must wait for. */
  readonly steps?: { readonly downloadMs: number; readonly renderMs: number; readonly uploadMs: number };
}

export interface LatencyRow {
  readonly network: Network;
  readonly handler: HandlerName;
  readonly cold: ColdStart;
  /** S3 requests of the cold start's invocation. */
  readonly coldRequests: number;
  readonly photos: readonly PhotoTiming[];
}

export interface LatencyResult {
  readonly node: string;
  /** Median wall time of `node -e 0`: the floor under any cold start. */
  readonly bareMs: number;
  readonly rows: readonly LatencyRow[];
}

/** A reference handler (scripts/bench/<name>.ts), bundled and zipped as the real one is. */
export async function referenceZip(dir: string, name = 'reference-handler'): Promise<string> {
  const files = await bundleHandler(join(ROOT, 'scripts', 'bench', `${name}.ts`), join(dir, name));
  const zip = join(dir, `${name}.zip`);
  writeFileSync(zip, createZip(files.map((file) => ({ path: basename(file.path), data: readFileSync(file.path) }))));
  return zip;
}

const MARK = '@probe ';
const CONTEXT =
  "{ awsRequestId: 'bench', functionName: 'bench', memoryLimitInMB: '1024', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench', getRemainingTimeInMillis: () => 30000 }";

/** A Lambda-runtime stand-in: require the handler as Lambda does (CommonJS), then one event per stdin line. */
const PROBE = [
  "import { createRequire } from 'node:module';",
  "import { createInterface } from 'node:readline';",
  'const t0 = performance.now();',
  "const { handler } = createRequire(import.meta.url)(process.env.LAMBDA_TASK_ROOT + '/index.js');",
  'let initMs = performance.now() - t0;',
  `const context = ${CONTEXT};`,
  'for await (const line of createInterface({ input: process.stdin })) {',
  '  const started = performance.now();',
  '  const cpu = process.cpuUsage();',
  '  let error;',
  '  let result;',
  '  try { result = await handler(JSON.parse(line), context); } catch (e) { error = String(e); }',
  '  const used = process.cpuUsage(cpu);',
  `  process.stdout.write('\\n${MARK}' + JSON.stringify({ initMs, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, error, result }) + '\\n');`,
  '  initMs = undefined;',
  '}',
  // The SDK keeps connections open (as Lambda reuses them): end explicitly.
  'process.exit(0);',
].join('\n');

interface ProbeAnswer {
  readonly initMs?: number;
  /** What the handler returned (the reference: its steps' times). */
  readonly result?: unknown;
  readonly ms: number;
  /** CPU time of the process during the invocation (all threads: libvips' too). */
  readonly cpuMs?: number;
  readonly error?: string;
}

/** One execution environment: a process that takes events and answers with timings. */
class Probe {
  private readonly answers: ((answer: ProbeAnswer) => void)[] = [];
  private stderr = '';

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(MARK)) this.answers.shift()?.(JSON.parse(line.slice(MARK.length)) as ProbeAnswer);
    });
    child.stderr.on('data', (chunk) => (this.stderr += chunk));
    child.on('exit', (code) => {
      for (const answer of this.answers.splice(0)) answer({ ms: Number.NaN, error: `exited ${code}: ${this.stderr}` });
    });
  }

  invoke(event: unknown): Promise<ProbeAnswer> {
    return new Promise((resolve, reject) => {
      this.answers.push((answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      this.child.stdin.write(`${JSON.stringify(event)}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('close', () => resolve());
      this.child.stdin.end();
    });
  }
}

export async function latencyBenchmark(dir: string, options: LatencyOptions): Promise<LatencyResult> {
  const node: LambdaNode = lambdaNodeBinary('x86_64');
  const zips: Record<HandlerName, string> = {
    ours: functionZipPath('thumbnail'),
    reference: await referenceZip(dir),
    'reference + logs and metrics': await referenceZip(dir, 'reference-observed-handler'),
  };
  const s3 = await startLocalS3({ directory: join(dir, 'latency-s3'), buckets: ['originals', 'thumbnails'] });
  const client = s3.client('us-east-1');
  const clock = new SequencerClock();
  let uploads = 0;
  const upload = (body: Buffer) =>
    uploadEvent(client, clock, { bucket: 'originals', key: `latency/${uploads++}.jpg`, region: 'us-east-1', requestId: 'BENCH' }, body);
  const layouts = Object.fromEntries(
    HANDLERS.map((name) => {
      const layout = extractLambdaLayout(zips[name], [layerZipPath('x86_64')], join(dir, 'latency', name));
      const probe = join(layout.taskRoot, '..', 'probe.mjs');
      writeFileSync(probe, PROBE);
      return [name, { layout, probe }];
    }),
  ) as Record<HandlerName, { layout: ReturnType<typeof extractLambdaLayout>; probe: string }>;

  const start = (name: HandlerName, endpoint: string): Probe => {
    const { layout, probe } = layouts[name];
    const child = spawn(node.execPath, [...node.execArgv, probe], {
      cwd: layout.taskRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: '/tmp',
        LAMBDA_TASK_ROOT: layout.taskRoot,
        NODE_PATH: lambdaNodePath(layout),
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'bench',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_S3: endpoint,
        [ENV.sourceBucket]: 'originals',
        [ENV.destinationBucket]: 'thumbnails',
      },
    });
    return new Probe(child);
  };
  const bareRun = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      spawn(node.execPath, [...node.execArgv, '-e', '0']).on('close', (code) =>
        code === 0 ? resolve(performance.now() - started) : reject(new Error(`node -e 0 exited ${code}`)),
      );
    });

  const rows: LatencyRow[] = [];
  const bare: number[] = [];
  try {
    for (const network of options.networks) {
      const proxy = await startFaultProxy(s3.endpoint, {
        share: 0,
        latencyMs: network.latencyMs,
        handshakeRtts: 2,
        ...(network.downloadMBps ? { downloadBytesPerSecond: network.downloadMBps * 1e6 } : {}),
      });
      const counted = async <T>(work: () => Promise<T>) => {
        const before = proxy.stats.requests;
        const result = await work();
        return { result, requests: proxy.stats.requests - before };
      };
      const cold = async (name: HandlerName, body: Buffer) => {
        const event = await upload(body);
        const started = performance.now();
        const probe = start(name, proxy.endpoint);
        const { result, requests } = await counted(() => probe.invoke(event));
        const totalMs = performance.now() - started;
        await probe.close();
        return { totalMs, initMs: result.initMs ?? Number.NaN, firstMs: result.ms, requests };
      };
      type Cold = Awaited<ReturnType<typeof cold>>;
      const perHandler = <T>(make: () => T) => Object.fromEntries(HANDLERS.map((name) => [name, make()])) as Record<HandlerName, T>;
      try {
        console.error(`    ${describeNetwork(network)}`);
        // One untimed round warms the file cache.
        for (const name of HANDLERS) await cold(name, options.small);
        const samples = perHandler<Cold[]>(() => []);
        // Interleaved, so drift on the machine touches every handler alike.
        for (let i = 0; i < options.coldRuns; i++) {
          if (network === options.networks[0]) bare.push(await bareRun());
          for (const name of HANDLERS) samples[name].push(await cold(name, options.small));
        }
        const photoTimings = perHandler<PhotoTiming[]>(() => []);
        for (const photo of options.photos) {
          const coldPhoto = perHandler<number[]>(() => []);
          for (let i = 0; i < options.photoColdRuns; i++)
            for (const name of HANDLERS) coldPhoto[name].push((await cold(name, photo.bytes)).totalMs);
          const warm = perHandler(() => undefined as Probe | undefined);
          const warmSamples = perHandler<{ ms: number; cpuMs: number; requests: number; steps?: Steps }[]>(() => []);
          try {
            for (const name of HANDLERS) {
              const probe = start(name, proxy.endpoint);
              warm[name] = probe;
              for (let i = 0; i < 2; i++) await probe.invoke(await upload(photo.bytes));
            }
            for (let i = 0; i < options.warmRuns; i++) {
              for (const name of HANDLERS) {
                const event = await upload(photo.bytes);
                const { result, requests } = await counted(() => (warm[name] as Probe).invoke(event));
                warmSamples[name].push({
                  ms: result.ms,
                  cpuMs: result.cpuMs ?? Number.NaN,
                  requests,
                  ...(name === 'reference' ? { steps: result.result as Steps } : {}),
                });
              }
            }
          } finally {
            await Promise.all(HANDLERS.map((name) => warm[name]?.close()));
          }
          for (const name of HANDLERS)
            photoTimings[name].push({
              photo: photo.name,
              megapixels: photo.megapixels,
              coldMs: median(coldPhoto[name]),
              warmMs: median(warmSamples[name].map((sample) => sample.ms)),
              warmCpuMs: median(warmSamples[name].map((sample) => sample.cpuMs)),
              warmRequests: median(warmSamples[name].map((sample) => sample.requests)),
              ...(name === 'reference'
                ? {
                    steps: {
                      downloadMs: median(warmSamples[name].map((sample) => sample.steps?.downloadMs ?? Number.NaN)),
                      renderMs: median(warmSamples[name].map((sample) => sample.steps?.renderMs ?? Number.NaN)),
                      uploadMs: median(warmSamples[name].map((sample) => sample.steps?.uploadMs ?? Number.NaN)),
                    },
                  }
                : {}),
            });
        }
        for (const name of HANDLERS) {
          const runs = samples[name];
          rows.push({
            network,
            handler: name,
            cold: {
              totalMs: median(runs.map((run) => run.totalMs)),
              initMs: median(runs.map((run) => run.initMs)),
              firstInvokeMs: median(runs.map((run) => run.firstMs)),
            },
            coldRequests: median(runs.map((run) => run.requests)),
            photos: photoTimings[name],
          });
        }
      } finally {
        await proxy.close();
      }
    }
  } finally {
    client.destroy();
    await s3.close();
  }
  return { node: node.version, bareMs: median(bare), rows };
}
