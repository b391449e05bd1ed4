/**
 * Asynchronous invocation as Lambda does it for S3 events: the event is queued, the function runs,
 * a failed run is retried (maximum_retry_attempts, 2 by default) with back-off, and an event that
 * still fails, or grows older than maximum_event_age, goes to the on-failure destination in Lambda's
 * own record format. Lambda waits about 1 and 2 minutes between attempts; locally the delays are
 * configurable and short.
 */

import { type FailureRecord, failureRecord } from '../../handlers/thumbnail/failure-record';
import type { InvocationReport } from './function-runner';

export interface AsyncInvokePolicy {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  /** Delay before retry n (the last value repeats). */
  readonly retryDelaysMs: readonly number[];
}

/** Lambda's waits (1 and 2 minutes) scaled down 60 times. */
export const LOCAL_RETRY_DELAYS_MS = [1_000, 2_000] as const;

export const DESTINATION_CONDITION = {
  retriesExhausted: 'RetriesExhausted',
  eventAgeExceeded: 'EventAgeExceeded',
} as const;

export interface DeliveryResult {
  readonly event: unknown;
  readonly attempts: number;
  readonly ok: boolean;
  /** The last attempt's report; absent when the event expired before any attempt. */
  readonly report?: InvocationReport;
  /** Set when the event went to the on-failure destination. */
  readonly destinationRecord?: FailureRecord;
}

export interface AsyncInvokerDeps {
  readonly functionArn: string;
  readonly policy: AsyncInvokePolicy;
  readonly invoke: (event: unknown) => Promise<InvocationReport>;
  /** The on-failure destination; without one, Lambda drops the event (and so do we, saying so). */
  readonly recordFailure?: (record: FailureRecord) => Promise<void>;
  readonly onAttempt?: (attempt: number, report: InvocationReport) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function destinationRecord(
  functionArn: string,
  event: unknown,
  condition: string,
  attempts: number,
  report: InvocationReport | undefined,
  now: Date,
): FailureRecord {
  return failureRecord({
    requestContext: {
      requestId: report?.requestId ?? 'expired',
      functionArn: `${functionArn}:$LATEST`,
      condition,
      approximateInvokeCount: attempts,
    },
    payload: event,
    functionError: 'Unhandled',
    response: {
      errorType: report?.error?.errorType ?? 'EventAgeExceeded',
      errorMessage: report?.error?.errorMessage ?? 'the event expired before it could be processed',
    },
    now,
  });
}

export class AsyncInvoker {
  private readonly pending = new Set<Promise<DeliveryResult>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: AsyncInvokerDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Queue an event; the promise settles when it is processed or recorded as failed. */
  enqueue(event: unknown): Promise<DeliveryResult> {
    const delivery = this.deliver(event, this.now());
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
    return delivery;
  }

  /** Wait until every queued event, retries included, is done. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(event: unknown, queuedAt: number): Promise<DeliveryResult> {
    const { policy } = this.deps;
    let report: InvocationReport | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= policy.maximumRetryAttempts + 1; attempt++) {
      if (this.now() - queuedAt > policy.maximumEventAgeSeconds * 1000) {
        return this.fail(event, DESTINATION_CONDITION.eventAgeExceeded, attempts, report);
      }
      attempts = attempt;
      report = await this.deps.invoke(event);
      this.deps.onAttempt?.(attempt, report);
      if (report.ok) return { event, attempts, ok: true, report };
      if (attempt <= policy.maximumRetryAttempts) {
        const delays = policy.retryDelaysMs;
        await this.sleep(delays[Math.min(attempt - 1, delays.length - 1)] ?? 0);
      }
    }
    return this.fail(event, DESTINATION_CONDITION.retriesExhausted, attempts, report);
  }

  private async fail(event: unknown, condition: string, attempts: number, report: InvocationReport | undefined): Promise<DeliveryResult> {
    const record = destinationRecord(this.deps.functionArn, event, condition, attempts, report, new Date(this.now()));
    if (this.deps.recordFailure) await this.deps.recordFailure(record);
    return { event, attempts, ok: false, ...(report ? { report } : {}), ...(this.deps.recordFailure ? { destinationRecord: record } : {}) };
  }
}
