/**
 * The handler's work, with every I/O injected: one record at a time (parse -> plan -> get -> check
 * -> render -> put), and an S3 notification as a set of records, each with its own outcome.
 * Imports no SDK and no sharp: storage, the failure recorder and the image functions are ports.
 */

import {
  type BatchResponse,
  type BatchResult,
  batchResponse,
  endsWithSuffix,
  isBatchEvent,
  parseBatchEvent,
  RESULT_CODE,
  requestedSuffixes,
  taskResult,
} from './batch';
import { LIMITS, renderTimeNeededMs } from './constants';
import { decodeLimitsFor } from './decode-cost';
import { FAILURE_CLASS, isThumbnailError, OutOfTimeError, RecursionGuardError, ThumbnailError, TransientStorageError } from './errors';
import { isS3TestEvent } from './event';
import { parseObjectEvent } from './event-source';
import { buildFailureRecord, type FailureRecorder } from './failure-record';
import type { readImageHeader, renderThumbnails } from './image';
import { isOutputKey, planRenditionKeys } from './keys';
import { decideDelete, decideWrite, planSizes, unstoppableEncodeMs } from './plan';
import {
  DECISION,
  type Decision,
  type Invocation,
  type Log,
  type MetricSink,
  type PlannedThumbnail,
  RECORD_KIND,
  type RecordOutcome,
  SOURCE_CHANGED,
  SOURCE_GONE,
  type SourceRecord,
  type Storage,
  type ThumbnailConfig,
  type ThumbnailProvenance,
  type ThumbnailTarget,
  WRITE_RESULT,
  type WriteCondition,
} from './types';
import { UploadCheck } from './upload-check';

export interface ImageFunctions {
  readonly readImageHeader: typeof readImageHeader;
  readonly renderThumbnails: typeof renderThumbnails;
}

export interface ProcessorDeps {
  readonly config: ThumbnailConfig;
  readonly storage: Storage;
  readonly recorder: FailureRecorder;
  readonly image: ImageFunctions;
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

/** Writes are conditional; when another invocation wins the race we look again, a bounded number of times. */
export const MAX_CONDITIONAL_ATTEMPTS = 3;

const GONE_REASON = 'the original no longer exists (deleted after this event; its delete event covers it)';

/** When the thumbnails already there are read, for a created record (see processCreated). */
export const LOOKUP = { onConflict: 'on-conflict', first: 'first' } as const;
export type Lookup = (typeof LOOKUP)[keyof typeof LOOKUP];

const conditionFor = (existing: ThumbnailProvenance | undefined): WriteCondition =>
  existing === undefined ? { ifNoneMatch: '*' } : { ifMatch: existing.etag };

/** Process one record to its outcome. Never throws: failures are outcomes, permanent or transient. */
export function createRecordProcessor(deps: ProcessorDeps) {
  const { config, storage, log, metrics } = deps;
  const destination = config.destinationBucket;
  const elapsed = (since: number) => Math.round(deps.now() - since);

  const readProvenance = (targets: readonly ThumbnailTarget[]) =>
    Promise.all(targets.map((target) => storage.readThumbnailProvenance(destination, target.key)));

  /**
   * Write one thumbnail unless the one there already comes from this upload or a newer one:
   * `DECISION.write` if written, else why not. `seen` is what a look before the write found
   * (undefined: nothing, or no look); a conditional write that finds otherwise looks again.
   */
  async function commit(
    record: SourceRecord,
    target: ThumbnailTarget,
    body: Uint8Array,
    seen: ThumbnailProvenance | undefined,
  ): Promise<Decision> {
    let existing = seen;
    for (let attempt = 1; attempt <= MAX_CONDITIONAL_ATTEMPTS; attempt++) {
      const result = await storage.putThumbnail(destination, target.key, body, record, conditionFor(existing), target.rendition);
      if (result === WRITE_RESULT.written) return DECISION.write;
      existing = await storage.readThumbnailProvenance(destination, target.key);
      const decision = decideWrite(record, existing);
      if (decision !== DECISION.write) return decision;
    }
    throw new TransientStorageError(
      `PUT s3://${destination}/${target.key}: still conflicting after ${MAX_CONDITIONAL_ATTEMPTS} conditional attempts`,
    );
  }

  /**
   * The render deadline, in whole seconds (libvips' unit), from the time the invocation has left;
   * what must be left covers twice the estimated decode and every encode the deadline cannot stop.
   */
  function renderDeadline(invocation: Invocation, estimatedDecodeMs: number, planned: readonly PlannedThumbnail[]): number {
    const remaining = invocation.remainingMs();
    const available = remaining - LIMITS.uploadReserveMs;
    const needed = renderTimeNeededMs(estimatedDecodeMs, unstoppableEncodeMs(planned));
    if (available < needed) throw new OutOfTimeError(Math.max(0, Math.round(remaining)), needed + LIMITS.uploadReserveMs);
    return Math.max(1, Math.floor(available / 1000));
  }

  /**
   * The original, checked as it arrives (UploadCheck: an upload over a limit is refused as soon as
   * its bytes prove it, and the download aborted), and no later than the last moment a render can
   * still start: past it, the download stops and the record is retried (OutOfTimeError), as a late
   * render would be.
   */
  async function download(record: SourceRecord, invocation: Invocation) {
    let check: UploadCheck | undefined;
    const neededMs = LIMITS.uploadReserveMs + renderTimeNeededMs(0, 0);
    const deadline = new AbortController();
    const delayMs = Math.max(0, invocation.remainingMs() - neededMs);
    // setTimeout takes at most 2^31 - 1 ms (longer fires at once): a longer wait needs no timer.
    const timer =
      delayMs < 2 ** 31 - 1
        ? setTimeout(() => deadline.abort(new OutOfTimeError(Math.max(0, Math.round(invocation.remainingMs())), neededMs)), delayMs)
        : undefined;
    try {
      return await storage.getOriginal(record, {
        signal: deadline.signal,
        inspect: (bytes, available, totalBytes) => {
          check ??= new UploadCheck(config.inputFormats, decodeLimitsFor(config, totalBytes), totalBytes);
          check.inspect(bytes, available);
        },
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Make the record's thumbnails. `lookup` says when the thumbnails already there are read:
   * - `LOOKUP.onConflict` (S3 notifications, where the thumbnail is almost always new): not before
   *   writing. The write is conditional (If-None-Match), so an existing thumbnail is found by the
   *   write itself, and only then is its provenance read: a new upload costs one GET and one PUT,
   *   as a handler without idempotency would make; a duplicate delivery costs a render.
   * - `LOOKUP.first` (backfills, where most thumbnails may exist): before downloading, so a
   *   current thumbnail costs one HEAD and nothing else.
   */
  async function processCreated(source: SourceRecord, invocation: Invocation, lookup: Lookup): Promise<RecordOutcome> {
    let record = source;
    const started = deps.now();
    const targets = planRenditionKeys(record.key, config.renditions);
    let existing: (ThumbnailProvenance | undefined)[] = targets.map(() => undefined);
    if (lookup === LOOKUP.first) {
      // A record that does not name the original's version (a backfill task) learns it first, in the
      // same round trip as the thumbnails' provenance: the ETag decides whether they are current.
      const [seen, head] = await Promise.all([
        readProvenance(targets),
        record.eTag === undefined ? storage.headOriginal(record) : undefined,
      ]);
      if (head === SOURCE_GONE) return { status: 'skipped', reason: GONE_REASON };
      if (head !== undefined) record = { ...record, eTag: head.etag, ...(head.size === undefined ? {} : { size: head.size }) };
      existing = seen;
    }
    const decisions = targets.map((_, i) => decideWrite(record, existing[i]));
    const pending = targets.filter((_, i) => decisions[i] === DECISION.write);
    if (pending.length === 0) return { status: 'skipped', reason: decisions[0] ?? DECISION.duplicate };

    const original = await download(record, invocation);
    if (original === SOURCE_CHANGED) return { status: 'skipped', reason: 'source changed after this event (a newer event covers it)' };
    if (original === SOURCE_GONE) return { status: 'skipped', reason: GONE_REASON };
    const downloaded = deps.now();
    const header = await deps.image.readImageHeader(original.body, decodeLimitsFor(config, original.body.byteLength), config.inputFormats);
    const planned = planSizes(header.display, pending);
    const timeoutSeconds = renderDeadline(invocation, header.decode.decodeMs, planned);
    const rendered = await deps.image.renderThumbnails(original.body, header, planned, { ...config, timeoutSeconds });
    const renderedAt = deps.now();

    // The other renditions are written together, the primary one last: when it is current, all are.
    const primaryKey = targets[0]?.key;
    const commitOne = (thumbnail: (typeof rendered)[number]) =>
      commit(record, thumbnail, thumbnail.body, existing[targets.findIndex((target) => target.key === thumbnail.key)]);
    const others = rendered.filter((thumbnail) => thumbnail.key !== primaryKey);
    const primary = rendered.filter((thumbnail) => thumbnail.key === primaryKey);
    const ordered = [...others, ...primary];
    const outcomes = [...(await Promise.all(others.map(commitOne))), ...(await Promise.all(primary.map(commitOne)))];
    const written = ordered.filter((_, i) => outcomes[i] === DECISION.write);
    const kept = outcomes.filter((decision) => decision !== DECISION.write);
    if (written.length === 0) return { status: 'skipped', reason: kept[kept.length - 1] ?? DECISION.stale };

    const totalMs = elapsed(started);
    metrics.addMetric('ThumbnailsWritten', 'Count', written.length);
    metrics.addMetric('SourceBytes', 'Bytes', original.body.byteLength);
    metrics.addMetric('ProcessingTime', 'Milliseconds', totalMs);
    log.info('thumbnail written', {
      source: {
        bucket: record.bucket,
        key: record.key,
        format: header.format,
        bytes: original.body.byteLength,
        width: header.display.width,
        height: header.display.height,
      },
      outputs: written.map((t) => ({
        rendition: t.rendition.name,
        format: t.rendition.format,
        bucket: destination,
        key: t.key,
        width: t.width,
        height: t.height,
        bytes: t.body.byteLength,
      })),
      ms: {
        total: totalMs,
        download: Math.round(downloaded - started),
        render: Math.round(renderedAt - downloaded),
        upload: Math.round(deps.now() - renderedAt),
        estimatedDecode: Math.round(header.decode.decodeMs),
      },
    });
    return { status: 'written', keys: written.map((t) => t.key) };
  }

  async function processRemoved(record: SourceRecord): Promise<RecordOutcome> {
    const targets = planRenditionKeys(record.key, config.renditions);
    const existing = await readProvenance(targets);
    // Each output on its own, all at once: deleted only while its provenance says it is older than the delete.
    const deleteOne = async (target: ThumbnailTarget, seen: ThumbnailProvenance | undefined): Promise<boolean> => {
      let current = seen;
      for (let attempt = 1; current !== undefined && decideDelete(record, current); attempt++) {
        if (attempt > MAX_CONDITIONAL_ATTEMPTS)
          throw new TransientStorageError(`DELETE s3://${destination}/${target.key}: still conflicting`);
        if ((await storage.deleteThumbnail(destination, target.key, current.etag)) === WRITE_RESULT.written) return true;
        current = await storage.readThumbnailProvenance(destination, target.key);
      }
      return false;
    };
    const results = await Promise.all(targets.map((target, i) => deleteOne(target, existing[i])));
    const deleted = targets.filter((_, i) => results[i]).map((target) => target.key);
    if (deleted.length === 0) return { status: 'skipped', reason: 'no thumbnail of this original older than the delete' };
    metrics.addMetric('ThumbnailsDeleted', 'Count', deleted.length);
    log.info('thumbnails deleted', { source: { bucket: record.bucket, key: record.key }, deleted });
    return { status: 'deleted', keys: deleted };
  }

  async function route(record: SourceRecord, invocation: Invocation, lookup: Lookup): Promise<RecordOutcome> {
    if (record.bucket === destination) throw new RecursionGuardError(record.bucket);
    if (record.bucket !== config.sourceBucket)
      throw new ThumbnailError(
        `event is for bucket "${record.bucket}"; this function serves "${config.sourceBucket}"`,
        FAILURE_CLASS.permanent,
      );
    if (config.sourcePrefix !== undefined && !record.key.startsWith(config.sourcePrefix))
      return { status: 'skipped', reason: `the key is outside the prefix "${config.sourcePrefix}" this function serves` };
    if (isOutputKey(record.key, config.renditions))
      return { status: 'skipped', reason: 'the key is named like an output this function writes' };
    return record.kind === RECORD_KIND.created ? processCreated(record, invocation, lookup) : processRemoved(record);
  }

  return async function processRecord(
    record: SourceRecord,
    invocation: Invocation,
    lookup: Lookup = LOOKUP.onConflict,
  ): Promise<RecordOutcome> {
    try {
      return await route(record, invocation, lookup);
    } catch (error) {
      if (isThumbnailError(error) && error.failureClass === FAILURE_CLASS.permanent) return { status: 'failed', error };
      return { status: 'retry', error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
}

/**
 * Process an S3 notification: every record on its own. Permanent failures are recorded once and
 * not retried; if any record failed transiently, or a failure could not be recorded, the
 * invocation throws after all records are done, so Lambda retries the event (records already done
 * are recognised and skipped; a failure recorded twice is collapsed by `make redrive`).
 */
export function createEventProcessor(deps: ProcessorDeps) {
  const { log, metrics } = deps;
  const processRecord = createRecordProcessor(deps);

  /** Record a permanent failure; false when the recorder itself failed (the record is then in the log). */
  async function recordPermanent(
    error: ThumbnailError,
    payload: unknown,
    invocation: Invocation,
    source: { bucket?: string; key?: string },
  ) {
    metrics.addMetric('PermanentFailures', 'Count', 1);
    log.error('thumbnail failed', {
      source: source.bucket === undefined && source.key === undefined ? undefined : source,
      failureClass: error.failureClass,
      errorType: error.name,
      reason: error.message,
    });
    const failureRecord = buildFailureRecord({ payload, error, ...source }, invocation, deps.wallClock());
    try {
      await deps.recorder.record(failureRecord);
      return true;
    } catch (recordError) {
      metrics.addMetric('UnrecordedFailures', 'Count', 1);
      log.error('failure could not be recorded: the event will be retried', { failureRecord, reason: (recordError as Error).message });
      return false;
    }
  }

  /**
   * An S3 Batch Operations invocation (a backfill): each task through the same pipeline, looking at
   * the thumbnails before downloading (most may exist on a re-run), and one result per task. Never
   * throws for a task: Batch retries TemporaryFailure, records the rest in its completion report.
   */
  async function processBatch(event: unknown, invocation: Invocation): Promise<BatchResponse> {
    const batch = parseBatchEvent(event);
    const suffixes = requestedSuffixes(batch.userArguments);
    if (batch.unidentified > 0) log.warn('batch tasks without a taskId get no result', { jobId: batch.jobId, tasks: batch.unidentified });
    const results: BatchResult[] = [];
    for (const task of batch.tasks) {
      let outcome: RecordOutcome;
      if ('error' in task) outcome = { status: 'failed', error: task.error };
      else if (suffixes && !endsWithSuffix(task.record.key, suffixes.suffixes, suffixes.ignoreCase))
        outcome = {
          status: 'skipped',
          reason: `the key does not end in ${suffixes.suffixes.join(' or ')}${suffixes.ignoreCase ? ' (in any case)' : ''}`,
        };
      else outcome = await processRecord(task.record, invocation, LOOKUP.first);
      const result = taskResult(task.taskId, outcome);
      results.push(result);
      const source = 'error' in task ? { key: task.key } : { bucket: task.record.bucket, key: task.record.key };
      metrics.addMetric(`BatchTasks${result.resultCode}`, 'Count', 1);
      if (outcome.status === 'written') metrics.addMetric('ThumbnailsWritten', 'Count', outcome.keys.length);
      const line = { jobId: batch.jobId, taskId: task.taskId, source, resultCode: result.resultCode, result: result.resultString };
      if (result.resultCode === RESULT_CODE.succeeded) log.info('batch task', line);
      else log.warn('batch task', line);
    }
    return batchResponse(batch, results);
  }

  return async function processEvent(event: unknown, invocation: Invocation): Promise<InvocationSummary | BatchResponse> {
    if (isBatchEvent(event)) return processBatch(event, invocation);
    if (isS3TestEvent(event)) {
      log.info('S3 test event: nothing to process', {});
      return { records: 0, written: 0, deleted: 0, skipped: 0, failed: 0 };
    }
    let parsed: ReturnType<typeof parseObjectEvent>;
    try {
      parsed = parseObjectEvent(event);
    } catch (error) {
      if (!isThumbnailError(error)) throw error;
      if (!(await recordPermanent(error, event, invocation, {})))
        throw new TransientStorageError('the invalid event could not be recorded', { cause: error });
      return { records: 0, written: 0, deleted: 0, skipped: 0, failed: 1 };
    }
    for (const { index, eventName } of parsed.ignored)
      log.info('skipped', { record: index, reason: `event type ${eventName} is not handled` });

    const counts = { written: 0, deleted: 0, skipped: parsed.ignored.length, failed: 0 };
    const transient: Error[] = [];
    let unrecorded = 0;
    for (const item of parsed.records) {
      const outcome: RecordOutcome =
        'error' in item ? { status: 'failed', error: item.error } : await processRecord(item.record, invocation);
      const source =
        'error' in item
          ? { ...(item.bucket === undefined ? {} : { bucket: item.bucket }), ...(item.key === undefined ? {} : { key: item.key }) }
          : { bucket: item.record.bucket, key: item.record.key };
      switch (outcome.status) {
        case 'written':
        case 'deleted':
          counts[outcome.status] += 1;
          break;
        case 'skipped':
          counts.skipped += 1;
          metrics.addMetric('Skipped', 'Count', 1);
          log.info('skipped', { source, reason: outcome.reason });
          break;
        case 'failed':
          counts.failed += 1;
          if (!(await recordPermanent(outcome.error, item.replay, invocation, source))) unrecorded += 1;
          break;
        case 'retry':
          metrics.addMetric('TransientFailures', 'Count', 1);
          log.warn('thumbnail will be retried', {
            source,
            failureClass: FAILURE_CLASS.transient,
            errorType: outcome.error.name,
            reason: outcome.error.message,
          });
          transient.push(outcome.error);
          break;
      }
    }
    if (transient.length > 0 || unrecorded > 0) {
      const parts = [
        transient.length > 0 ? `${transient.length} of ${parsed.records.length} records failed transiently (${transient[0]?.message})` : '',
        unrecorded > 0 ? `${unrecorded} permanent failure(s) could not be recorded` : '',
      ].filter(Boolean);
      // Lambda retries the whole event; records already done are recognised and skipped.
      throw new TransientStorageError(parts.join('; '), { cause: transient[0] });
    }
    return { records: parsed.records.length + parsed.ignored.length, ...counts };
  };
}
