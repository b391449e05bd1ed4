// The local stand-in for Lambda's Node.js runtime interface: one execution environment per process.
// It loads the handler named by the stack (e.g. "index.handler") from LAMBDA_TASK_ROOT, then runs
// invocations sent over IPC one at a time, as Lambda does, reusing the process while it is warm.
// Plain JavaScript on purpose: it runs on the Lambda Node.js version, without the project's tooling.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
// The local /opt stand-in comes as an argument, so the function's environment stays as Lambda's.
const optRoot = process.argv[2] ?? '/opt';
const layerRoots = (process.env.NODE_PATH ?? '').split(':').filter((path) => path.startsWith(optRoot));

register(new URL('./layer-hooks.mjs', import.meta.url), { data: { roots: layerRoots } });

/** @param {unknown} error */
function describe(error) {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

/**
 * This process's own peak resident memory, in KB: Lambda's "Max Memory Used". Linux's VmHWM, not
 * getrusage's maxrss, which keeps the high-water mark of the process this one was forked from (the
 * local stack's, hundreds of MB) across exec.
 */
function peakRssKb() {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: maxrss, which on macOS is this process's own.
  }
  return process.resourceUsage().maxRSS;
}

const send = (message) => new Promise((resolve) => process.send(message, resolve));

/** Whether the nearest package.json up to the task root says "type": "module". */
function typeModule(file) {
  for (let dir = dirname(file); dir.startsWith(taskRoot); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
    if (dir === taskRoot) break;
  }
  return false;
}

/**
 * The module the way Lambda's runtime interface client loads it: a .js file is require()d unless its
 * package.json says "type": "module"; then .js (as ESM), .mjs (import) and .cjs (require), in that order.
 */
async function loadModule(base) {
  const require = createRequire(join(taskRoot, 'index.js'));
  if (existsSync(`${base}.js`) && !typeModule(`${base}.js`)) return require(`${base}.js`);
  if (existsSync(`${base}.js`)) return import(pathToFileURL(`${base}.js`).href);
  if (existsSync(`${base}.mjs`)) return import(pathToFileURL(`${base}.mjs`).href);
  if (existsSync(`${base}.cjs`)) return require(`${base}.cjs`);
  return undefined;
}

async function loadHandler() {
  const dot = handlerSpec?.lastIndexOf('.') ?? -1;
  if (!taskRoot || !handlerSpec || dot <= 0)
    throw Object.assign(new Error(`Bad handler ${handlerSpec}`), { name: 'Runtime.MalformedHandlerName' });
  const modulePath = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(join(taskRoot, modulePath));
  } catch (error) {
    throw Object.assign(new Error(`${error?.name ?? 'Error'}: ${error?.message ?? error}`), {
      name: 'Runtime.ImportModuleError',
      cause: error,
    });
  }
  if (!mod) throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { name: 'Runtime.ImportModuleError' });
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${handlerSpec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  // nodejs24.x supports only async (promise-returning) handlers; callback handlers are rejected.
  if (handler.length >= 3)
    throw Object.assign(new Error('callback-based handlers are not supported on nodejs24.x'), {
      name: 'Runtime.CallbackHandlerDeprecated',
    });
  return handler;
}

const initStarted = performance.now();
let handler;
try {
  handler = await loadHandler();
  await send({ type: 'ready', initMs: performance.now() - initStarted });
} catch (error) {
  await send({ type: 'init-error', error: describe(error) });
  process.exit(1);
}

process.on('uncaughtException', async (error) => {
  await send({ type: 'crash', error: describe(error) });
  process.exit(129);
});
process.on('unhandledRejection', async (error) => {
  await send({ type: 'crash', error: describe(error) });
  process.exit(128);
});

// The runner is gone (stopped, crashed, interrupted): an execution environment never outlives it.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  const { requestId, event, deadline, functionName, functionArn, memoryMB } = message;
  process.env._X_AMZN_TRACE_ID = `Root=1-${requestId.slice(0, 8)}-${requestId.replace(/-/g, '').slice(0, 24)};Sampled=0`;
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMB),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const measure = () => {
    const cpu = process.cpuUsage(cpuStarted);
    return { durationMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: peakRssKb() };
  };
  try {
    const result = await handler(event, context);
    await send({ type: 'result', requestId, result: result ?? null, ...measure() });
  } catch (error) {
    await send({ type: 'error', requestId, error: describe(error), ...measure() });
  }
});
