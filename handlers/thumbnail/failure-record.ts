/**
 * Failure records in the shape of Lambda's on-failure destination records, built for the
 * handler's permanent failures and for the local runner's exhausted retries. Pure.
 */

import type { ThumbnailError } from './errors';
import type { Invocation } from './types';

export interface Failure {
  /** The payload to replay: the S3 event, narrowed to the record that failed. */
  readonly payload: unknown;
  readonly error: ThumbnailError;
  readonly bucket?: string;
  readonly key?: string;
}

/**
 * A failure record in the shape of Lambda's own on-failure destination records, so the handler's
 * records (permanent failures, never retried) and Lambda's (retries exhausted) are read the same way.
 */
export interface FailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly responsePayload: {
    readonly errorType: string;
    readonly errorMessage: string;
    readonly failureClass?: string;
    /** The rendition that failed, when the failure was in one. */
    readonly rendition?: string;
    readonly bucket?: string;
    readonly key?: string;
  };
}

/** The condition the handler writes; Lambda writes `RetriesExhausted` or `EventAgeExceeded`. */
export const PERMANENT_FAILURE_CONDITION = 'PermanentFailure';

export interface FailureRecordFields {
  readonly requestContext: FailureRecord['requestContext'];
  readonly payload: unknown;
  /** `Handled`: the function reported the error; `Unhandled`: it threw. */
  readonly functionError: 'Handled' | 'Unhandled';
  readonly response: FailureRecord['responsePayload'];
  readonly now: Date;
}

/** A record in the shape of Lambda's on-failure destination records, whoever writes it. */
export function failureRecord(fields: FailureRecordFields): FailureRecord {
  return {
    version: '1.0',
    timestamp: fields.now.toISOString(),
    requestContext: fields.requestContext,
    requestPayload: fields.payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: fields.functionError },
    responsePayload: fields.response,
  };
}

/** The handler's own record of a permanent failure (never retried). */
export function buildFailureRecord(failure: Failure, context: Pick<Invocation, 'requestId' | 'functionArn'>, now: Date): FailureRecord {
  return failureRecord({
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: PERMANENT_FAILURE_CONDITION,
      approximateInvokeCount: 1,
    },
    payload: failure.payload,
    functionError: 'Handled',
    response: {
      errorType: failure.error.name,
      errorMessage: failure.error.message,
      failureClass: failure.error.failureClass,
      ...(failure.error.rendition === undefined ? {} : { rendition: failure.error.rendition }),
      ...(failure.bucket === undefined ? {} : { bucket: failure.bucket }),
      ...(failure.key === undefined ? {} : { key: failure.key }),
    },
    now,
  });
}

/** Where failure records go: the stack's failure queue (sqs-recorder.ts), or the log. */
export interface FailureRecorder {
  record(record: FailureRecord): Promise<void>;
}
