/**
 * Runs a packaged function the way Lambda does: each execution environment is a worker process
 * (cold start = process start + handler import), reused while warm, one invocation at a time;
 * the timeout and memory size are enforced by killing the worker, as Lambda does.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Architecture } from '../../lib/architectures';
import { type LambdaNode, lambdaNodeBinary } from './lambda-node';
import { type LambdaLayout, lambdaNodePath } from './layout';

const BOOTSTRAP = fileURLToPath(new URL('./runtime/bootstrap.mjs', import.meta.url));

export interface FunctionSpec {
  readonly name: string;
  /** As in the stack: "index.handler". */
  readonly handler: string;
  readonly layout: LambdaLayout;
  /** The function's own environment variables, already resolved to local values. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables the platform provides: region, credentials, endpoints. */
  readonly platformEnvironment: Readonly<Record<string, string>>;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  readonly region: string;
  readonly accountId: string;
  /** Upper bound on environments running at once (reserved concurrency). */
  readonly maxConcurrency: number;
  /** Lambda's architecture for the function; arm64 runs under emulation on other machines. */
  readonly architecture?: Architecture;
  readonly logGroup?: string;
  /** Each line the function writes, as it writes it (what CloudWatch Logs would receive). */
  readonly onLog?: (line: string) => void;
}

export interface InvocationError {
  readonly errorType: string;
  readonly errorMessage: string;
  /** The stack, as Lambda returns it for an error the handler threw. */
  readonly trace?: readonly string[];
}

export interface InvocationReport {
  readonly requestId: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: InvocationError;
  readonly logs: readonly string[];
  readonly durationMs: number;
  /** CPU time (user + system) the handler used, all threads: what a fractional vCPU would stretch. */
  readonly cpuMs?: number;
  readonly maxMemoryMB?: number;
  /** Set on a cold start: how long the handler module took to load. */
  readonly initMs?: number;
}

/** Resident memory of a process in KiB, from /proc (Linux); undefined elsewhere. */
function residentKb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

type WorkerMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: InvocationError }
  | { type: 'crash'; error: InvocationError }
  | { type: 'result'; requestId: string; result: unknown; durationMs: number; cpuMs: number; maxRssKb: number }
  | { type: 'error'; requestId: string; error: InvocationError; durationMs: number; cpuMs: number; maxRssKb: number };

interface Environment {
  readonly child: ChildProcess;
  readonly ready: Promise<number>;
  logs: string[];
  onMessage?: (message: WorkerMessage) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  dead: boolean;
}

export class FunctionRunner {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  /** The Node.js the environments run on (emulated for arm64 on other machines). */
  readonly node: LambdaNode;

  constructor(readonly spec: FunctionSpec) {
    this.node = lambdaNodeBinary(spec.architecture ?? 'x86_64');
  }

  /** The Node.js version the environments run on. */
  get nodeVersion(): string {
    return this.node.version;
  }

  private environmentVariables(): Record<string, string> {
    const { spec } = this;
    const logGroup = spec.logGroup ?? `/aws/lambda/${spec.name}`;
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: '/tmp',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: spec.region,
      AWS_DEFAULT_REGION: spec.region,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMB),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      LAMBDA_TASK_ROOT: spec.layout.taskRoot,
      _HANDLER: spec.handler,
      NODE_PATH: lambdaNodePath(spec.layout),
      ...spec.platformEnvironment,
      ...spec.environment,
    };
  }

  private spawn(): Environment {
    const child = fork(BOOTSTRAP, [this.spec.layout.optRoot], {
      cwd: this.spec.layout.taskRoot,
      env: this.environmentVariables(),
      execPath: this.node.execPath,
      execArgv: [...this.node.execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const environment: Environment = { child, logs: [], dead: false, ready: Promise.resolve(0) };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => {
          environment.logs.push(line);
          this.spec.onLog?.(line);
        });
    }
    child.on('message', (message: WorkerMessage) => environment.onMessage?.(message));
    child.on('exit', (code, signal) => {
      environment.dead = true;
      this.all.delete(environment);
      environment.onExit?.(code, signal);
    });
    (environment as { ready: Promise<number> }).ready = new Promise<number>((resolve, reject) => {
      environment.onMessage = (message) => {
        if (message.type === 'ready') resolve(message.initMs);
        else if (message.type === 'init-error')
          reject(Object.assign(new Error(message.error.errorMessage), { errorType: message.error.errorType }));
      };
      environment.onExit = (code, signal) => reject(new Error(`Runtime exited during init (${signal ?? `exit ${code}`})`));
    });
    this.all.add(environment);
    return environment;
  }

  private async acquire(): Promise<void> {
    if (this.busy < this.spec.maxConcurrency) {
      this.busy += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy -= 1;
  }

  /** Run one invocation synchronously (RequestResponse) and report what happened. */
  async invoke(event: unknown): Promise<InvocationReport> {
    await this.acquire();
    try {
      return await this.invokeInEnvironment(event);
    } finally {
      this.release();
    }
  }

  private async invokeInEnvironment(event: unknown): Promise<InvocationReport> {
    const requestId = randomUUID();
    const started = performance.now();
    let environment = this.idle.pop();
    let initMs: number | undefined;
    if (!environment || environment.dead) {
      environment = this.spawn();
      try {
        initMs = await environment.ready;
      } catch (error) {
        environment.child.kill('SIGKILL');
        return {
          requestId,
          ok: false,
          error: { errorType: (error as { errorType?: string }).errorType ?? 'Runtime.ExitError', errorMessage: (error as Error).message },
          logs: environment.logs,
          durationMs: performance.now() - started,
        };
      }
    }
    environment.logs = [];
    const env = environment;
    const { spec } = this;
    const limitKb = spec.memoryMB * 1024;
    const report = await new Promise<InvocationReport>((resolve) => {
      let peakKb = 0;
      type Outcome = Omit<InvocationReport, 'requestId' | 'logs' | 'durationMs'> & { durationMs?: number };
      const finish = (outcome: Outcome, kill = false) => {
        clearTimeout(timer);
        clearInterval(poll);
        env.onMessage = undefined;
        env.onExit = undefined;
        if (kill) env.child.kill('SIGKILL');
        // Give the worker's last output lines a moment to arrive before handing the logs over.
        // Like Lambda's Duration, the handler's own time when the worker reported it (init excluded).
        setImmediate(() =>
          resolve({
            requestId,
            logs: env.logs,
            ...(initMs === undefined ? {} : { initMs }),
            ...outcome,
            durationMs: outcome.durationMs ?? performance.now() - started,
          }),
        );
      };
      const timer = setTimeout(
        () =>
          finish(
            {
              ok: false,
              error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds` },
            },
            true,
          ),
        spec.timeoutSeconds * 1000,
      );
      const poll = setInterval(() => {
        const kb = env.child.pid ? residentKb(env.child.pid) : undefined;
        if (kb === undefined) return;
        peakKb = Math.max(peakKb, kb);
        if (kb > limitKb)
          finish(
            {
              ok: false,
              maxMemoryMB: Math.ceil(kb / 1024),
              error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited with error: signal: killed' },
            },
            true,
          );
      }, 25);
      env.onMessage = (message) => {
        if (message.type === 'result' || message.type === 'error') {
          const maxMemoryMB = Math.ceil(Math.max(peakKb, message.maxRssKb) / 1024);
          if (maxMemoryMB > spec.memoryMB)
            finish(
              {
                ok: false,
                maxMemoryMB,
                error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited with error: signal: killed' },
              },
              true,
            );
          else if (message.type === 'result')
            finish({ ok: true, result: message.result, maxMemoryMB, durationMs: message.durationMs, cpuMs: message.cpuMs });
          else finish({ ok: false, error: message.error, maxMemoryMB, durationMs: message.durationMs, cpuMs: message.cpuMs });
        } else if (message.type === 'crash') {
          finish(
            {
              ok: false,
              error: { errorType: 'Runtime.ExitError', errorMessage: `${message.error.errorType}: ${message.error.errorMessage}` },
            },
            true,
          );
        }
      };
      env.onExit = (code, signal) =>
        finish({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}`,
          },
        });
      env.child.send({
        type: 'invoke',
        requestId,
        event,
        deadline: Date.now() + spec.timeoutSeconds * 1000,
        functionName: spec.name,
        functionArn: `arn:aws:lambda:${spec.region}:${spec.accountId}:function:${spec.name}`,
        memoryMB: spec.memoryMB,
      });
    });
    if (!env.dead && report.error?.errorType !== 'Sandbox.Timedout' && report.error?.errorType !== 'Runtime.OutOfMemory')
      this.idle.push(env);
    return report;
  }

  /** Stop every execution environment. */
  async close(): Promise<void> {
    const exits = [...this.all].map(
      (environment) =>
        new Promise<void>((resolve) => {
          if (environment.dead) return resolve();
          environment.child.once('exit', () => resolve());
          environment.child.kill('SIGKILL');
        }),
    );
    this.idle.length = 0;
    await Promise.all(exits);
  }
}

/** Lambda's own REPORT line, for printing after an invocation. */
export function formatReport(report: InvocationReport, memoryMB: number): string {
  const parts = [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Memory Size: ${memoryMB} MB`,
    ...(report.maxMemoryMB === undefined ? [] : [`Max Memory Used: ${report.maxMemoryMB} MB`]),
    ...(report.initMs === undefined ? [] : [`Init Duration: ${report.initMs.toFixed(2)} ms`]),
  ];
  return parts.join('\t');
}
