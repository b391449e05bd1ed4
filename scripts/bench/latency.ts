/**
 * Ours beside the simplest handler that could do the job (scripts/bench/reference-handler.ts:
 * client-s3 and sharp, GET, resize, PUT), both packaged and run in the Lambda-like layout on the
 * Lambda Node.js, against the same S3 server behind a proxy that adds a network round trip to every
 * request (and TCP + TLS handshakes to every new connection), as S3 in the same region would:
 * cold start (a fresh process: require the handler, then one event) and warm end to end (one
 * process, one event after another) on a 12 MP photo.
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
import { median } from './stats';

export const HANDLERS = ['ours', 'reference', 'reference + logs and metrics'] as const;
export type HandlerName = (typeof HANDLERS)[number];

export interface LatencyOptions {
  /** Round trips to simulate, in ms added per request (0: loopback as it is). */
  readonly latenciesMs: readonly number[];
  /** Fresh processes per handler and latency. */
  readonly coldRuns: number;
  /** Timed warm invocations per handler and latency (after two untimed ones). */
  readonly warmRuns: number;
  /** The cold start's event: a small JPEG, so the figure is about starting, not decoding. */
  readonly small: Buffer;
  /** The warm photo: 12 MP. */
  readonly photo: { readonly name: string; readonly bytes: Buffer };
}

export interface ColdStart {
  /** Median wall time of a fresh process: start Node.js, require the handler, one invocation. */
  readonly totalMs: number;
  readonly initMs: number;
  readonly firstInvokeMs: number;
}

export interface LatencyRow {
  readonly latencyMs: number;
  readonly handler: HandlerName;
  readonly cold: ColdStart;
  /** Median wall time of one warm invocation on the 12 MP photo. */
  readonly warmMs: number;
  /** Median CPU time of the function's process in that invocation. */
  readonly warmCpuMs: number;
  /** S3 requests per invocation (cold, warm), as the proxy counted them. */
  readonly requests: { readonly cold: number; readonly warm: number };
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
  '  try { await handler(JSON.parse(line), context); } catch (e) { error = String(e); }',
  '  const used = process.cpuUsage(cpu);',
  `  process.stdout.write('\\n${MARK}' + JSON.stringify({ initMs, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, error }) + '\\n');`,
  '  initMs = undefined;',
  '}',
  // The SDK keeps connections open (as Lambda reuses them): end explicitly.
  'process.exit(0);',
].join('\n');

interface ProbeAnswer {
  readonly initMs?: number;
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
    for (const latencyMs of options.latenciesMs) {
      const proxy = await startFaultProxy(s3.endpoint, { share: 0, latencyMs, handshakeRtts: 2 });
      const counted = async <T>(work: () => Promise<T>) => {
        const before = proxy.stats.requests;
        const result = await work();
        return { result, requests: proxy.stats.requests - before };
      };
      const cold = async (name: HandlerName) => {
        const event = await upload(options.small);
        const started = performance.now();
        const probe = start(name, proxy.endpoint);
        const { result, requests } = await counted(() => probe.invoke(event));
        const totalMs = performance.now() - started;
        await probe.close();
        return { totalMs, initMs: result.initMs ?? Number.NaN, firstMs: result.ms, requests };
      };
      try {
        // One untimed round warms the file cache.
        for (const name of HANDLERS) await cold(name);
        const samples = Object.fromEntries(HANDLERS.map((name) => [name, [] as Awaited<ReturnType<typeof cold>>[]])) as Record<
          HandlerName,
          Awaited<ReturnType<typeof cold>>[]
        >;
        // Interleaved, so drift on the machine touches both alike.
        for (let i = 0; i < options.coldRuns; i++) {
          if (latencyMs === options.latenciesMs[0]) bare.push(await bareRun());
          for (const name of HANDLERS) samples[name].push(await cold(name));
        }
        const warm = Object.fromEntries(HANDLERS.map((name) => [name, start(name, proxy.endpoint)])) as Record<HandlerName, Probe>;
        const warmSamples = Object.fromEntries(
          HANDLERS.map((name) => [name, [] as { ms: number; cpuMs: number; requests: number }[]]),
        ) as Record<HandlerName, { ms: number; cpuMs: number; requests: number }[]>;
        try {
          for (const name of HANDLERS) for (let i = 0; i < 2; i++) await warm[name].invoke(await upload(options.photo.bytes));
          for (let i = 0; i < options.warmRuns; i++) {
            for (const name of HANDLERS) {
              const event = await upload(options.photo.bytes);
              const { result, requests } = await counted(() => warm[name].invoke(event));
              warmSamples[name].push({ ms: result.ms, cpuMs: result.cpuMs ?? Number.NaN, requests });
            }
          }
        } finally {
          await Promise.all(HANDLERS.map((name) => warm[name].close()));
        }
        for (const name of HANDLERS) {
          const runs = samples[name];
          rows.push({
            latencyMs,
            handler: name,
            cold: {
              totalMs: median(runs.map((run) => run.totalMs)),
              initMs: median(runs.map((run) => run.initMs)),
              firstInvokeMs: median(runs.map((run) => run.firstMs)),
            },
            warmMs: median(warmSamples[name].map((sample) => sample.ms)),
            warmCpuMs: median(warmSamples[name].map((sample) => sample.cpuMs)),
            requests: {
              cold: median(runs.map((run) => run.requests)),
              warm: median(warmSamples[name].map((sample) => sample.requests)),
            },
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
