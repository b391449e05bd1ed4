import { describe, expect, it } from 'vitest';
import { readReportCsv, reportCsv, reportRow, summarizeReport } from '../../../scripts/backfill/report';

describe('completion report CSV', () => {
  const rows = [
    reportRow(
      { bucket: 'b', key: 'a b/x+y.jpg' },
      { taskId: '1', resultCode: 'Succeeded', resultString: 'written: a b/x+y-thumbnail.jpg' },
    ),
    reportRow({ bucket: 'b', key: 'c.jpg' }, { taskId: '2', resultCode: 'Succeeded', resultString: 'skipped: duplicate' }),
    reportRow(
      { bucket: 'b', key: 'd.jpg' },
      { taskId: '3', resultCode: 'PermanentFailure', resultString: 'CorruptImageError: a "quoted", message' },
    ),
    reportRow({ bucket: 'b', key: 'e.jpg' }, { taskId: '4', resultCode: 'TemporaryFailure', resultString: 'TransientStorageError: 503' }),
  ];

  it('round-trips rows, quotes and commas in messages included', () => {
    expect(readReportCsv(reportCsv(rows))).toEqual(rows);
  });

  it("reads AWS's documented LambdaInvoke failure row", () => {
    const [row] = readReportCsv(
      'awsexamplebucket1,image_14975,,failed,200,PermanentFailure,"Lambda returned function error: {""errorMessage"":""Task timed out after 3.00 seconds""}"\n',
    );
    expect(row).toMatchObject({
      key: 'image_14975',
      taskStatus: 'failed',
      httpStatusCode: '200',
      errorCode: 'PermanentFailure',
      resultMessage: 'Lambda returned function error: {"errorMessage":"Task timed out after 3.00 seconds"}',
    });
  });

  it('sums a report up by outcome, most frequent first', () => {
    const summary = summarizeReport([...rows, rows[1] as (typeof rows)[number], rows[1] as (typeof rows)[number]]);
    expect(summary).toMatchObject({ tasks: 6, succeeded: 4, failed: 2 });
    expect(summary.byOutcome.map((group) => [group.code, group.outcome, group.count])).toEqual([
      ['Succeeded', 'skipped', 3],
      ['Succeeded', 'written', 1],
      ['PermanentFailure', 'CorruptImageError', 1],
      ['TemporaryFailure', 'TransientStorageError', 1],
    ]);
  });
});

describe('backfillExitCode and describeRefused', () => {
  it('end a backfill whose failures are refusals as done (0), and one with transient failures as to be run again (1)', async () => {
    const { backfillExitCode, describeRefused } = await import('../../../scripts/backfill/report');
    expect(backfillExitCode({ temporary: 0 })).toBe(0);
    expect(backfillExitCode({ temporary: 3 })).toBe(1);
    expect(describeRefused({ failed: 2, temporary: 0 })).toMatch(/^2 object\(s\) refused by the function for good/);
    expect(describeRefused({ failed: 3, temporary: 3 })).toBeUndefined();
  });
});
