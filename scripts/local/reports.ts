/** Reading what a function said: its structured log lines, from an invocation report or a log tail. Pure. */

import type { DeliveryResult } from './async-invoke';
import type { InvocationReport } from './function-runner';

export interface WrittenThumbnail {
  readonly source: { readonly key: string; readonly width: number; readonly height: number; readonly bytes: number };
  readonly outputs: readonly {
    readonly key: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
    readonly rendition?: string;
    readonly format?: string;
    readonly bucket?: string;
  }[];
  readonly ms: { readonly total: number };
}

/** Every JSON line, parsed (other lines are skipped). */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Every JSON log line of a report, parsed. */
export const jsonLogLines = (report: InvocationReport | undefined) => jsonLines(report?.logs ?? []);

/** The handler's "thumbnail written" lines. */
export function writtenThumbnails(report: InvocationReport | undefined): WrittenThumbnail[] {
  return jsonLogLines(report).filter((line) => line['message'] === 'thumbnail written') as unknown as WrittenThumbnail[];
}

/** The failures the thumbnail handler logged, one line each: key, error type and reason. */
export function failureLines(lines: readonly string[]): string[] {
  return jsonLines(lines)
    .filter((line) => line['message'] === 'thumbnail failed')
    .map(
      (line) =>
        `refused ${(line['source'] as { key?: string } | undefined)?.key ?? '(no key)'}: ${String(line['errorType'])}: ${String(line['reason'])}`,
    );
}

/** What one delivered S3 event came to, on one line: the thumbnails written, or why not. */
export function describeOutcome(result: DeliveryResult): string {
  if (!result.ok) {
    const error = result.report?.error;
    return `failed after ${result.attempts} attempt(s): ${error?.errorType}: ${error?.errorMessage}${result.destinationRecord ? ' (recorded in the failure queue)' : ''}`;
  }
  const lines = jsonLogLines(result.report);
  const written = lines.filter((line) => line['message'] === 'thumbnail written') as unknown as WrittenThumbnail[];
  if (written.length > 0)
    return written.flatMap((line) => line.outputs.map((o) => `${o.key} ${o.width}x${o.height} (${line.ms.total} ms)`)).join(', ');
  const deleted = lines.find((line) => line['message'] === 'thumbnails deleted');
  if (deleted) return `deleted ${(deleted['deleted'] as string[]).join(', ')}`;
  const failed = lines.find((line) => line['message'] === 'thumbnail failed');
  if (failed) return `refused: ${String(failed['errorType'])}: ${String(failed['reason'])} (recorded in the failure queue)`;
  const skipped = lines.find((line) => line['message'] === 'skipped');
  if (skipped) return `skipped: ${String(skipped['reason'])}`;
  return JSON.stringify(result.report?.result);
}
