/** Reading what a function said: its structured log lines, from an invocation report. Pure. */

import type { InvocationReport } from './function-runner';

export interface WrittenThumbnail {
  readonly source: { readonly key: string; readonly width: number; readonly height: number; readonly bytes: number };
  readonly outputs: readonly { readonly key: string; readonly width: number; readonly height: number; readonly bytes: number }[];
  readonly ms: { readonly total: number };
}

/** Every JSON log line of a report, parsed (non-JSON lines are skipped). */
export function jsonLogLines(report: InvocationReport | undefined): Record<string, unknown>[] {
  return (report?.logs ?? []).flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The handler's "thumbnail written" lines. */
export function writtenThumbnails(report: InvocationReport | undefined): WrittenThumbnail[] {
  return jsonLogLines(report).filter((line) => line['message'] === 'thumbnail written') as unknown as WrittenThumbnail[];
}
