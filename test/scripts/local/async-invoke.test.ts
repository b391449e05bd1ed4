import { describe, expect, it } from 'vitest';
import type { FailureRecord } from '../../../handlers/thumbnail/failure-record';
import { AsyncInvoker } from '../../../scripts/local/async-invoke';
import type { InvocationReport } from '../../../scripts/local/function-runner';

const failure = (n: number): InvocationReport => ({
  requestId: `r${n}`,
  ok: false,
  error: { errorType: 'TransientStorageError', errorMessage: `boom ${n}` },
  logs: [],
  durationMs: 1,
});
const success = (n: number): InvocationReport => ({ requestId: `r${n}`, ok: true, result: 'done', logs: [], durationMs: 1 });

function harness(outcomes: ((n: number) => InvocationReport)[], policy = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 }) {
  const sleeps: number[] = [];
  const recorded: FailureRecord[] = [];
  let calls = 0;
  let clock = 0;
  const invoker = new AsyncInvoker({
    functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:f',
    policy: { ...policy, retryDelaysMs: [60, 120] },
    invoke: async () => (outcomes[calls] ?? outcomes[outcomes.length - 1]!)(++calls),
    recordFailure: async (record) => {
      recorded.push(record);
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms * 1000;
    },
  });
  return { invoker, sleeps, recorded, calls: () => calls };
}

describe('AsyncInvoker', () => {
  it('runs once when the function succeeds', async () => {
    const { invoker, calls, recorded } = harness([success]);
    const result = await invoker.enqueue({ a: 1 });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    expect(calls()).toBe(1);
    expect(recorded).toEqual([]);
  });

  it('retries a failure with back-off and succeeds', async () => {
    const { invoker, sleeps } = harness([failure, success]);
    expect(await invoker.enqueue({})).toMatchObject({ ok: true, attempts: 2 });
    expect(sleeps).toEqual([60]);
  });

  it("after 1 + maximum_retry_attempts failures, records the event and the error in Lambda's format", async () => {
    const { invoker, sleeps, recorded, calls } = harness([failure]);
    const result = await invoker.enqueue({ Records: ['r'] });
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(calls()).toBe(3);
    expect(sleeps).toEqual([60, 120]);
    expect(recorded).toEqual([
      expect.objectContaining({
        version: '1.0',
        requestContext: expect.objectContaining({
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
          functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:f:$LATEST',
        }),
        requestPayload: { Records: ['r'] },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'TransientStorageError', errorMessage: 'boom 3' },
      }),
    ]);
  });

  it('honours maximum_retry_attempts = 0', async () => {
    const { invoker, calls } = harness([failure], { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 });
    expect(await invoker.enqueue({})).toMatchObject({ ok: false, attempts: 1 });
    expect(calls()).toBe(1);
  });

  it('gives up on an event older than maximum_event_age', async () => {
    const { invoker, recorded } = harness([failure], { maximumRetryAttempts: 2, maximumEventAgeSeconds: 100 });
    await invoker.enqueue({});
    expect(recorded[0]?.requestContext.condition).toBe('EventAgeExceeded');
  });

  it('waits for every queued event with idle()', async () => {
    const { invoker, calls } = harness([failure, failure, success]);
    void invoker.enqueue({});
    await invoker.idle();
    expect(calls()).toBe(3);
  });
});
