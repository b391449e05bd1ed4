/**
 * Lambda's Invoke API on loopback, in front of the local pipeline's functions: what
 * `@aws-sdk/client-lambda` sends (`POST /2015-03-31/functions/{name}/invocations`), answered as
 * Lambda answers it. RequestResponse returns the result, `X-Amz-Function-Error` for an error and,
 * with LogType Tail, the last 4 KB of the logs; Event queues the event for the asynchronous
 * invoker (retries, on-failure destination) and answers 202. So the tools that drive AWS (redrive,
 * backfill, invoke) drive the local stack through the same client. Signatures are not checked.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { formatReport, type InvocationReport } from './function-runner';

export interface LambdaApiBackend {
  /** The function's handler folder name, from its name, ARN or folder name; undefined if unknown. */
  resolve(functionName: string): string | undefined;
  invoke(source: string, event: unknown): Promise<InvocationReport>;
  invokeAsync(source: string, event: unknown): void;
  memoryMB(source: string): number;
}

export interface LambdaApi {
  readonly endpoint: string;
  close(): Promise<void>;
}

const INVOCATIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Lambda's LogResult: the tail of the invocation's log (START, the function's lines, END, REPORT), at most 4 KB, base64. */
export function logTail(report: InvocationReport, memoryMB: number): string {
  const lines = [
    `START RequestId: ${report.requestId} Version: $LATEST`,
    ...report.logs,
    `END RequestId: ${report.requestId}`,
    formatReport(report, memoryMB),
  ];
  const text = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
}

export async function startLambdaApi(backend: LambdaApiBackend, port = 0): Promise<LambdaApi> {
  const server = createServer(async (request, response) => {
    const error = (status: number, type: string, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
      response.end(JSON.stringify({ Type: 'User', message }));
    };
    const match = INVOCATIONS.exec(new URL(request.url ?? '/', 'http://local').pathname);
    if (request.method !== 'POST' || !match) return error(404, 'UnknownOperationException', 'only Invoke is served here');
    const source = backend.resolve(decodeURIComponent(match[1] ?? ''));
    if (!source) return error(404, 'ResourceNotFoundException', `Function not found: ${decodeURIComponent(match[1] ?? '')}`);
    let event: unknown;
    try {
      const body = await text(request);
      event = body === '' ? {} : JSON.parse(body);
    } catch {
      return error(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type === 'Event') {
      backend.invokeAsync(source, event);
      response.writeHead(202, { 'x-amz-executed-version': '$LATEST' });
      return response.end();
    }
    if (type === 'DryRun') {
      response.writeHead(204);
      return response.end();
    }
    const report = await backend.invoke(source, event);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    if (request.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = logTail(report, backend.memoryMB(source));
    if (!report.ok) headers['x-amz-function-error'] = 'Unhandled';
    response.writeHead(200, headers);
    response.end(JSON.stringify(report.ok ? (report.result ?? null) : report.error));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
