/**
 * S3 Batch Operations completion reports (`Report_CSV_20180820`): a top-level manifest.json naming
 * one CSV of succeeded and one of failed tasks, each row `Bucket, Key, VersionId, TaskStatus,
 * HTTPStatusCode, ErrorCode, ResultMessage` as AWS's LambdaInvoke examples show them (the schema
 * line lists ErrorCode before HTTPStatusCode; the rows put the status code first). `make backfill
 * LOCAL=1` writes them, `make backfill-status` reads them, local or from AWS. Pure.
 */

import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { BatchResult, ResultCode } from '../../handlers/thumbnail/batch';
import { manifestKey } from './manifest';

export const REPORT_FORMAT = 'Report_CSV_20180820';
export const REPORT_SCHEMA = 'Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage';

export interface ReportRow {
  readonly bucket: string;
  /** Decoded. */
  readonly key: string;
  readonly versionId: string;
  readonly taskStatus: 'succeeded' | 'failed';
  readonly httpStatusCode: string;
  /** For a failed task, the result code that failed it (PermanentFailure, or TemporaryFailure once Batch stops retrying). */
  readonly errorCode: string;
  readonly resultMessage: string;
}

/** A task's row, from the function's result for it. */
export function reportRow(task: { bucket: string; key: string; versionId?: string }, result: BatchResult): ReportRow {
  const failed = result.resultCode !== 'Succeeded';
  return {
    bucket: task.bucket,
    key: task.key,
    versionId: task.versionId ?? '',
    taskStatus: failed ? 'failed' : 'succeeded',
    httpStatusCode: '200',
    errorCode: failed ? result.resultCode : '',
    resultMessage: result.resultString,
  };
}

export function reportCsv(rows: readonly ReportRow[]): string {
  return stringify(
    rows.map((row) => [
      row.bucket,
      manifestKey(row.key),
      row.versionId,
      row.taskStatus,
      row.httpStatusCode,
      row.errorCode,
      row.resultMessage,
    ]),
  );
}

export function readReportCsv(text: string): ReportRow[] {
  return (parse(text, { skipEmptyLines: true, relaxColumnCount: true, relaxQuotes: true }) as string[][]).map((cells) => {
    // Status code and error code in either order: whichever cell is all digits is the status.
    const [a = '', b = ''] = [cells[4], cells[5]];
    const [httpStatusCode, errorCode] = /^\d*$/.test(a) ? [a, b] : [b, a];
    let key = cells[1] ?? '';
    try {
      key = decodeURIComponent(key);
    } catch {
      // Kept as written.
    }
    return {
      bucket: cells[0] ?? '',
      key,
      versionId: cells[2] ?? '',
      taskStatus: cells[3] === 'failed' ? 'failed' : 'succeeded',
      httpStatusCode,
      errorCode,
      resultMessage: cells.slice(6).join(','),
    };
  });
}

export interface ReportManifest {
  readonly Format: typeof REPORT_FORMAT;
  readonly ReportCreationDate: string;
  readonly Results: readonly { TaskExecutionStatus: 'succeeded' | 'failed'; Bucket: string; MD5Checksum?: string; Key: string }[];
  readonly ReportSchema: string;
}

export interface ReportSummary {
  readonly tasks: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed for now (S3 throttling, a timeout): a second run retries them. The other failures are objects the function refused. */
  readonly temporary: number;
  /** By the result string's leading word ("written", "skipped", an error type), most frequent first. */
  readonly byOutcome: readonly {
    readonly outcome: string;
    readonly code: ResultCode | 'Succeeded';
    readonly count: number;
    readonly example: string;
  }[];
}

/** What a report says, in a few lines: counts, and outcomes grouped by kind with one example each. */
export function summarizeReport(rows: readonly ReportRow[]): ReportSummary {
  const groups = new Map<string, { outcome: string; code: ResultCode | 'Succeeded'; count: number; example: string }>();
  for (const row of rows) {
    const code = (row.taskStatus === 'failed' ? row.errorCode || 'PermanentFailure' : 'Succeeded') as ResultCode;
    const outcome = /^([A-Za-z]+)[:\s]/.exec(row.resultMessage)?.[1] ?? (row.resultMessage.slice(0, 40) || 'no message');
    const id = `${code} ${outcome}`;
    const group = groups.get(id) ?? { outcome, code, count: 0, example: `${row.key}: ${row.resultMessage}` };
    group.count += 1;
    groups.set(id, group);
  }
  const failed = rows.filter((row) => row.taskStatus === 'failed').length;
  return {
    tasks: rows.length,
    succeeded: rows.length - failed,
    failed,
    temporary: rows.filter((row) => row.taskStatus === 'failed' && row.errorCode === 'TemporaryFailure').length,
    byOutcome: [...groups.values()].sort((x, y) => y.count - x.count),
  };
}

/**
 * How a backfill ended, as an exit code: 0 when every task is done (written, already current, or
 * refused by the function for good: a file that is not an image it takes is a result, recorded in
 * the failure queue, not a failure of the backfill), 1 when some failed for now and a second run
 * would retry them.
 */
export const backfillExitCode = (summary: Pick<ReportSummary, 'temporary'>): number => (summary.temporary > 0 ? 1 : 0);

/** One line on the tasks the function refused for good, when there are some. */
export const describeRefused = (summary: Pick<ReportSummary, 'failed' | 'temporary'>): string | undefined => {
  const refused = summary.failed - summary.temporary;
  return refused > 0
    ? `${refused} object(s) refused by the function for good (PermanentFailure: not an image it takes, or over a limit; reasons above and in the report): nothing to re-run for them`
    : undefined;
};
