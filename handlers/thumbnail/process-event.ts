/** The handler's work for one invocation: parse -> plan -> get -> render -> put, with I/O injected. */

import { isS3TestEvent, parseS3Event } from './event';
import { FAILURE_CLASS, isThumbnailError, RecursionGuardError, ThumbnailError, TransientStorageError } from './errors';
import { buildFailureRecord, type FailureContext, type FailureRecorder } from './failures';
import type { readJpegHeader, renderThumbnails } from './image';
import { isThumbnailKey, planThumbnailKeys } from './keys';
import { decideDelete, decideWrite, planSizes } from './plan';
import { SOURCE_CHANGED, WRITE_RESULT, type Storage, type WriteCondition } from './storage';
import { DECISION, RECORD_KIND, type SourceRecord, type ThumbnailConfig, type ThumbnailProvenance, type ThumbnailTarget } from './types';

type LogFn = (message: string, attributes: Record<string, unknown>) => void;

export interface Log {
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes';

export interface MetricSink {
  addMetric(name: string, unit: MetricUnit, value: number): void;
}

export interface ProcessorDeps {
  readonly config: ThumbnailConfig;
  readonly storage: Storage;
  readonly recorder: FailureRecorder;
  readonly image: { readonly readJpegHeader: typeof readJpegHeader; readonly renderThumbnails: typeof renderThumbnails };
  readonly log: Log;
  readonly metrics: MetricSink;
  /** Milliseconds from a monotonic clock. */
  readonly now: () => number;
  readonly wallClock: () => Date;
}

export interface InvocationSummary {
  readonly records: number;
  readonly written: number;
  readonly deleted: number;
  readonly skipped: number;
  readonly failed: number;
}

type Outcome =
  | { readonly status: 'written' | 'deleted'; readonly keys: readonly string[] }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed' };

/** Writes are conditional; when another invocation wins the race we look again, a bounded number of times. */
const MAX_CONDITIONAL_ATTEMPTS = 3;

const conditionFor = (existing: ThumbnailProvenance | undefined): WriteCondition =>
  existing === undefined ? { ifNoneMatch: '*' } : { ifMatch: existing.etag };

export function createEventProcessor(deps: ProcessorDeps) {
  const { config, storage, log, metrics } = deps;
  const destination = config.destinationBucket;
  const elapsed = (since: number) => Math.round(deps.now() - since);

  const readProvenance = (targets: readonly ThumbnailTarget[]) =>
    Promise.all(targets.map((target) => storage.readThumbnailProvenance(destination, target.key)));

  /** Write one thumbnail unless a newer one appears first; true if written. */
  async function commit(record: SourceRecord, target: ThumbnailTarget, body: Uint8Array, seen: ThumbnailProvenance | undefined) {
    let existing = seen;
    for (let attempt = 1; attempt <= MAX_CONDITIONAL_ATTEMPTS; attempt++) {
      const result = await storage.putThumbnail(destination, target.key, body, record, conditionFor(existing));
      if (result === WRITE_RESULT.written) return true;
      existing = await storage.readThumbnailProvenance(destination, target.key);
      if (decideWrite(record, existing) !== DECISION.write) return false;
    }
    throw new TransientStorageError(`PUT s3://${destination}/${target.key}: still conflicting after ${MAX_CONDITIONAL_ATTEMPTS} conditional attempts`);
  }

  async function processCreated(record: SourceRecord): Promise<Outcome> {
    const started = deps.now();
    const targets = planThumbnailKeys(record.key, config.widths);
    const existing = await readProvenance(targets);
    const decisions = targets.map((_, i) => decideWrite(record, existing[i]));
    const pending = targets.filter((_, i) => decisions[i] === DECISION.write);
    if (pending.length === 0) return { status: 'skipped', reason: decisions[0] ?? DECISION.duplicate };

    const original = await storage.getOriginal(record);
    if (original === SOURCE_CHANGED) return { status: 'skipped', reason: 'source changed after this event (a newer event covers it)' };
    const downloaded = deps.now();
    const header = await deps.image.readJpegHeader(original.body, config.maxInputPixels);
    const planned = planSizes(header.display, pending);
    const rendered = await deps.image.renderThumbnails(original.body, header, planned, config);
    const renderedAt = deps.now();

    // The primary thumbnail goes last: when it is current, every other width is too.
    const primaryKey = targets[0]?.key;
    const ordered = [...rendered].sort((a, b) => Number(a.key === primaryKey) - Number(b.key === primaryKey));
    const written: typeof rendered = [];
    for (const thumbnail of ordered) {
      const seen = existing[targets.findIndex((target) => target.key === thumbnail.key)];
      if (await commit(record, thumbnail, thumbnail.body, seen)) written.push(thumbnail);
    }
    if (written.length === 0) return { status: 'skipped', reason: DECISION.stale };

    const totalMs = elapsed(started);
    metrics.addMetric('ThumbnailsWritten', 'Count', written.length);
    metrics.addMetric('SourceBytes', 'Bytes', original.body.byteLength);
    metrics.addMetric('ProcessingTime', 'Milliseconds', totalMs);
    log.info('thumbnail written', {
      source: { bucket: record.bucket, key: record.key, bytes: original.body.byteLength, width: header.display.width, height: header.display.height },
      outputs: written.map((t) => ({ bucket: destination, key: t.key, width: t.width, height: t.height, bytes: t.body.byteLength })),
      ms: {
        total: totalMs,
        download: Math.round(downloaded - started),
        render: Math.round(renderedAt - downloaded),
        upload: Math.round(deps.now() - renderedAt),
      },
    });
    return { status: 'written', keys: written.map((t) => t.key) };
  }

  async function processRemoved(record: SourceRecord): Promise<Outcome> {
    const targets = planThumbnailKeys(record.key, config.widths);
    const existing = await readProvenance(targets);
    const deleted: string[] = [];
    for (const [i, target] of targets.entries()) {
      let current = existing[i];
      for (let attempt = 1; current !== undefined && decideDelete(record, current); attempt++) {
        if (attempt > MAX_CONDITIONAL_ATTEMPTS) throw new TransientStorageError(`DELETE s3://${destination}/${target.key}: still conflicting`);
        if ((await storage.deleteThumbnail(destination, target.key, current.etag)) === WRITE_RESULT.written) {
          deleted.push(target.key);
          break;
        }
        current = await storage.readThumbnailProvenance(destination, target.key);
      }
    }
    if (deleted.length === 0) return { status: 'skipped', reason: 'no thumbnail older than the delete' };
    metrics.addMetric('ThumbnailsDeleted', 'Count', deleted.length);
    log.info('thumbnails deleted', { source: { bucket: record.bucket, key: record.key }, deleted });
    return { status: 'deleted', keys: deleted };
  }

  async function processRecord(record: SourceRecord): Promise<Outcome> {
    if (record.bucket === destination) throw new RecursionGuardError(record.bucket);
    if (record.bucket !== config.sourceBucket)
      throw new ThumbnailError(`event is for bucket "${record.bucket}"; this function serves "${config.sourceBucket}"`, FAILURE_CLASS.permanent);
    if (isThumbnailKey(record.key)) return { status: 'skipped', reason: 'the key is named like a thumbnail this function writes' };
    return record.kind === RECORD_KIND.created ? processCreated(record) : processRemoved(record);
  }

  async function recordPermanent(error: ThumbnailError, payload: unknown, context: FailureContext, record?: SourceRecord) {
    metrics.addMetric('PermanentFailures', 'Count', 1);
    log.error('thumbnail failed', {
      source: record ? { bucket: record.bucket, key: record.key } : undefined,
      failureClass: error.failureClass,
      errorType: error.name,
      reason: error.message,
    });
    await deps.recorder.record(
      buildFailureRecord({ payload, error, ...(record ? { bucket: record.bucket, key: record.key } : {}) }, context, deps.wallClock()),
    );
  }

  return async function processEvent(event: unknown, context: FailureContext): Promise<InvocationSummary> {
    if (isS3TestEvent(event)) {
      log.info('S3 test event: nothing to process', {});
      return { records: 0, written: 0, deleted: 0, skipped: 0, failed: 0 };
    }
    let parsed;
    try {
      parsed = parseS3Event(event);
    } catch (error) {
      if (!isThumbnailError(error)) throw error;
      await recordPermanent(error, event, context);
      return { records: 0, written: 0, deleted: 0, skipped: 0, failed: 1 };
    }
    for (const { index, eventName } of parsed.ignored) log.info('skipped', { record: index, reason: `event type ${eventName} is not handled` });

    const counts = { written: 0, deleted: 0, skipped: parsed.ignored.length, failed: 0 };
    const transient: Error[] = [];
    for (const { record, raw } of parsed.records) {
      try {
        const outcome = await processRecord(record);
        if (outcome.status === 'skipped') {
          metrics.addMetric('Skipped', 'Count', 1);
          log.info('skipped', { source: { bucket: record.bucket, key: record.key }, reason: outcome.reason });
        }
        if (outcome.status !== 'failed') counts[outcome.status] += 1;
      } catch (error) {
        if (isThumbnailError(error) && error.failureClass === FAILURE_CLASS.permanent) {
          await recordPermanent(error, { Records: [raw] }, context, record);
          counts.failed += 1;
        } else {
          metrics.addMetric('TransientFailures', 'Count', 1);
          log.warn('thumbnail will be retried', {
            source: { bucket: record.bucket, key: record.key },
            failureClass: FAILURE_CLASS.transient,
            errorType: (error as Error).name,
            reason: (error as Error).message,
          });
          transient.push(error as Error);
        }
      }
    }
    if (transient.length > 0) {
      // Lambda retries the whole event; records already done are recognised and skipped.
      throw new TransientStorageError(`${transient.length} of ${parsed.records.length} records failed transiently: ${transient[0]?.message}`, {
        cause: transient[0],
      });
    }
    return { records: parsed.records.length + parsed.ignored.length, ...counts };
  };
}
