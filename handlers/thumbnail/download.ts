/**
 * How an original is downloaded, as plain decisions: in how many byte ranges fetched at once, and
 * how far from its start an object fetched in ranges has arrived. One S3 GET stream is limited
 * to roughly 50-100 MB/s, so a photo of a few MB spends tens of milliseconds arriving on one
 * connection; ranges fetched at once, each on its own connection, divide that time (AWS's
 * performance guidelines: byte-range fetches), for a GET request per range. Pure.
 */

export interface DownloadPlan {
  /** The smallest range worth its own request. */
  readonly partBytes: number;
  /** Ranges fetched at once, at most (1: one GET for the whole object). */
  readonly maxParts: number;
}

/** A byte range, `end` exclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The object cut into at most `maxParts` ranges of at least `partBytes` (one range when it is small). */
export function planRanges(size: number, plan: DownloadPlan): ByteRange[] {
  const parts = Math.max(1, Math.min(plan.maxParts, Math.floor(size / plan.partBytes)));
  const ranges: ByteRange[] = [];
  for (let part = 0; part < parts; part++)
    ranges.push({ start: Math.floor((size * part) / parts), end: Math.floor((size * (part + 1)) / parts) });
  return ranges;
}

/** The HTTP Range header of a range (inclusive last byte). */
export const rangeHeader = (range: ByteRange): string => `bytes=${range.start}-${range.end - 1}`;

/** How far an object fetched in ranges has arrived without a gap from its first byte. */
export class Arrivals {
  private readonly received: number[];

  constructor(private readonly ranges: readonly ByteRange[]) {
    this.received = ranges.map(() => 0);
  }

  /** `bytes` more of range `part` arrived; returns the bytes from the start that have all arrived. */
  add(part: number, bytes: number): number {
    this.received[part] = (this.received[part] ?? 0) + bytes;
    return this.contiguous();
  }

  contiguous(): number {
    let available = 0;
    for (const [part, range] of this.ranges.entries()) {
      const received = this.received[part] ?? 0;
      available = range.start + received;
      if (received < range.end - range.start) break;
    }
    return available;
  }
}
