import { describe, expect, it } from 'vitest';
import type { BatchResponse } from '../../../handlers/thumbnail/batch';
import { DEFAULTS } from '../../../handlers/thumbnail/constants';
import { CorruptImageError, RenderTimeoutError, TransientStorageError } from '../../../handlers/thumbnail/errors';
import type { FailureRecord } from '../../../handlers/thumbnail/failure-record';
import {
  createEventProcessor,
  createRecordProcessor,
  type ImageFunctions,
  type InvocationSummary,
  MAX_CONDITIONAL_ATTEMPTS,
} from '../../../handlers/thumbnail/process-event';
import {
  type ImageHeader,
  type Invocation,
  type OriginalObject,
  type SOURCE_CHANGED,
  SOURCE_GONE,
  type SourceRecord,
  type Storage,
  type ThumbnailConfig,
  type ThumbnailProvenance,
  WRITE_RESULT,
  type WriteCondition,
} from '../../../handlers/thumbnail/types';
import { batchEvent } from '../../../scripts/local/batch-events';
import { eventBridgeS3Event, s3Event } from '../../support/events';

const CONFIG: ThumbnailConfig = {
  sourceBucket: 'originals',
  destinationBucket: 'thumbnails',
  renditions: DEFAULTS.renditions,
  maxInputPixels: DEFAULTS.maxInputPixels,
  maxInputBytes: DEFAULTS.maxInputBytes,
  s3RequestTimeoutMs: DEFAULTS.s3RequestTimeoutMs,
  maxDecodeMs: DEFAULTS.maxDecodeMs,
  functionMemoryMB: DEFAULTS.functionMemoryMB,
  inputFormats: DEFAULTS.inputFormats,
  jpegBackground: DEFAULTS.jpegBackground,
};

interface Stored {
  readonly etag: string;
  readonly provenance: ThumbnailProvenance;
}

/** An in-memory S3 for the orchestrator: conditional writes as S3 enforces them, scripted faults. */
class FakeStorage implements Storage {
  readonly originals = new Map<string, OriginalObject | typeof SOURCE_GONE | typeof SOURCE_CHANGED | Error>();
  readonly thumbnails = new Map<string, Stored>();
  readonly puts: { key: string; condition: WriteCondition }[] = [];
  /** The rendition each write was for, by key. */
  readonly writtenRenditions = new Map<string, string>();
  readonly deletes: string[] = [];
  /** Called before each conditional write; may change the stored thumbnails to simulate a racing writer. */
  beforeWrite: (key: string) => void = () => undefined;
  /** Every request, in the order made: what overlaps what. */
  readonly requests: string[] = [];
  private version = 0;

  async readThumbnailProvenance(_bucket: string, key: string) {
    this.requests.push(`HEAD ${key}`);
    return this.thumbnails.get(key)?.provenance;
  }

  async headOriginal(record: SourceRecord) {
    this.requests.push(`HEAD ${record.key}`);
    const original = this.originals.get(record.key) ?? SOURCE_GONE;
    if (original instanceof Error) throw original;
    if (typeof original === 'string') return SOURCE_GONE;
    return { etag: original.etag ?? '', size: original.body.byteLength };
  }

  async getOriginal(record: SourceRecord) {
    this.requests.push(`GET ${record.key}`);
    const original = this.originals.get(record.key) ?? SOURCE_GONE;
    if (original instanceof Error) throw original;
    return original;
  }

  async putThumbnail(
    _bucket: string,
    key: string,
    _body: Uint8Array,
    source: SourceRecord,
    condition: WriteCondition,
    rendition: { name: string; format: string },
  ) {
    this.beforeWrite(key);
    this.writtenRenditions.set(key, `${rendition.name}/${rendition.format}`);
    this.requests.push(`PUT ${key}`);
    this.puts.push({ key, condition });
    const current = this.thumbnails.get(key);
    const ok = 'ifNoneMatch' in condition ? current === undefined : current?.etag === condition.ifMatch;
    if (!ok) return WRITE_RESULT.conflict;
    const etag = `"t${++this.version}"`;
    this.thumbnails.set(key, {
      etag,
      provenance: {
        etag,
        sourceBucket: source.bucket,
        sourceKey: source.key,
        ...(source.eTag ? { sourceEtag: source.eTag } : {}),
        ...(source.sequencer ? { sourceSequencer: source.sequencer } : {}),
      },
    });
    return WRITE_RESULT.written;
  }

  async deleteThumbnail(_bucket: string, key: string, ifMatch: string) {
    this.beforeWrite(key);
    if (this.thumbnails.get(key)?.etag !== ifMatch) return WRITE_RESULT.conflict;
    this.thumbnails.delete(key);
    this.deletes.push(key);
    return WRITE_RESULT.written;
  }
}

const JPEG = { body: new Uint8Array([0xff, 0xd8, 0xff]), etag: 'e1' };

function header(decodeMs = 10): ImageHeader {
  return {
    format: 'jpeg',
    hasAlpha: false,
    width: 400,
    height: 300,
    orientation: 1,
    display: { width: 400, height: 300 },
    standardSrgb: true,
    decode: { pixels: 120_000, blocks: 2_000, blockVisits: 2_000, wholeImageBytes: 0, decodeMs },
  };
}

function fakeImage(overrides: Partial<ImageFunctions> = {}) {
  const renders: { timeoutSeconds?: number }[] = [];
  const image: ImageFunctions = {
    readImageHeader: async () => header(),
    renderThumbnails: async (_input, _header, planned, options) => {
      renders.push(options);
      return planned.map((target) => ({ ...target, body: new Uint8Array([1, 2, 3]) }));
    },
    ...overrides,
  };
  return { image, renders };
}

function setup(
  options: { image?: ImageFunctions; recorder?: (record: FailureRecord) => Promise<void>; config?: Partial<ThumbnailConfig> } = {},
) {
  const storage = new FakeStorage();
  const recorded: FailureRecord[] = [];
  const logs: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, attributes: Record<string, unknown>) => logs.push({ level, message, attributes });
  const deps = {
    config: { ...CONFIG, ...options.config },
    storage,
    recorder: { record: options.recorder ?? (async (record: FailureRecord) => void recorded.push(record)) },
    image: options.image ?? fakeImage().image,
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { addMetric: () => undefined },
    now: () => 0,
    wallClock: () => new Date(0),
  };
  return { storage, recorded, logs, processEvent: createEventProcessor(deps), processRecord: createRecordProcessor(deps) };
}

const invocation = (remainingMs = 30_000): Invocation => ({
  requestId: 'r-1',
  functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
  remainingMs: () => remainingMs,
});
const created = (key: string, extra: Partial<SourceRecord> = {}): SourceRecord => ({
  kind: 'created',
  eventName: 'ObjectCreated:Put',
  bucket: 'originals',
  key,
  eTag: 'e1',
  ...extra,
});

describe('createEventProcessor', () => {
  it('gives every record of a mixed event its own outcome: malformed records never stop the others', async () => {
    const { storage, recorded, processEvent } = setup();
    const event = s3Event(...Array.from({ length: 100 }, (_, i) => ({ bucket: 'originals', key: `photo-${i}.jpg`, eTag: 'e1' })));
    for (let i = 0; i < 100; i++) storage.originals.set(`photo-${i}.jpg`, JPEG);
    const records = event.Records as unknown as Record<string, Record<string, Record<string, unknown>>>[];
    (records[10] as Record<string, Record<string, Record<string, unknown>>>)['s3']!['object']!['key'] = 'bad%E0%A4.jpg';
    (records[20] as Record<string, Record<string, Record<string, unknown>>>)['s3']!['object']!['size'] = -1;
    delete (records[30] as Record<string, unknown>)['eventName'];

    const summary = await processEvent(event, invocation());

    expect(summary).toEqual({ records: 100, written: 97, deleted: 0, skipped: 0, failed: 3 });
    expect(storage.thumbnails.size).toBe(97);
    expect(recorded.map((record) => [record.responsePayload.errorType, record.responsePayload.key])).toEqual([
      ['InvalidEventError', 'bad%E0%A4.jpg'],
      ['InvalidEventError', 'photo-20.jpg'],
      ['InvalidEventError', 'photo-30.jpg'],
    ]);
    expect(recorded[1]?.requestPayload).toEqual({ Records: [records[20]] });
  });

  it('finishes every record when the recorder fails, logs the record it could not send, then throws for a retry', async () => {
    const { storage, logs, processEvent } = setup({
      image: fakeImage({
        readImageHeader: async (input) => {
          if (input.length === 1) throw new CorruptImageError('cannot decode');
          return header();
        },
      }).image,
      recorder: async () => {
        throw new Error('queue unavailable');
      },
    });
    storage.originals.set('bad.jpg', { body: new Uint8Array([0]), etag: 'e1' });
    storage.originals.set('good.jpg', JPEG);
    const event = s3Event({ bucket: 'originals', key: 'bad.jpg', eTag: 'e1' }, { bucket: 'originals', key: 'good.jpg', eTag: 'e1' });

    await expect(processEvent(event, invocation())).rejects.toThrow(TransientStorageError);
    expect([...storage.thumbnails.keys()]).toEqual(['good-thumbnail.jpg']);
    expect(logs.find((line) => line.message === 'failure could not be recorded: the event will be retried')?.attributes).toMatchObject({
      reason: 'queue unavailable',
      failureRecord: { responsePayload: { errorType: 'CorruptImageError', key: 'bad.jpg' } },
    });
  });

  it('processes the other records when one fails transiently, then throws so Lambda retries the event', async () => {
    const { storage, recorded, processEvent } = setup();
    storage.originals.set('slow.jpg', new TransientStorageError('GET: SlowDown (HTTP 503)'));
    storage.originals.set('fine.jpg', JPEG);
    const event = s3Event({ bucket: 'originals', key: 'slow.jpg', eTag: 'e1' }, { bucket: 'originals', key: 'fine.jpg', eTag: 'e1' });
    await expect(processEvent(event, invocation())).rejects.toThrow(/1 of 2 records failed transiently \(GET: SlowDown/);
    expect([...storage.thumbnails.keys()]).toEqual(['fine-thumbnail.jpg']);
    expect(recorded).toEqual([]);
  });

  it('records a render that ran past its deadline as permanent, once, and does not throw', async () => {
    const { storage, recorded, processEvent } = setup({
      image: fakeImage({
        renderThumbnails: async () => {
          throw new RenderTimeoutError(27);
        },
      }).image,
    });
    storage.originals.set('slow.jpg', JPEG);
    const summary = (await processEvent(s3Event({ bucket: 'originals', key: 'slow.jpg', eTag: 'e1' }), invocation())) as InvocationSummary;
    expect(summary.failed).toBe(1);
    expect(recorded.map((record) => record.responsePayload.errorType)).toEqual(['RenderTimeoutError']);
  });
});

describe('createRecordProcessor', () => {
  it('skips an original already gone (its delete event covers it), quietly', async () => {
    const { processRecord } = setup();
    expect(await processRecord(created('gone.jpg'), invocation())).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(/no longer exists/),
    });
  });

  it('writes a new thumbnail with one GET and one conditional PUT, reading no provenance first', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    expect(await processRecord(created('x.jpg'), invocation())).toEqual({ status: 'written', keys: ['x-thumbnail.jpg'] });
    expect(storage.requests).toEqual(['GET x.jpg', 'PUT x-thumbnail.jpg']);
    expect(storage.puts).toEqual([{ key: 'x-thumbnail.jpg', condition: { ifNoneMatch: '*' } }]);
  });

  it('finds a duplicate delivery at its conditional PUT, reads the provenance then, and keeps the thumbnail', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    const current = { etag: '"t"', provenance: { etag: '"t"', sourceKey: 'x.jpg', sourceEtag: 'e1', sourceSequencer: '0A' } };
    storage.thumbnails.set('x-thumbnail.jpg', current);
    const outcome = await processRecord(created('x.jpg', { sequencer: '0A' }), invocation());
    expect(outcome).toEqual({ status: 'skipped', reason: 'duplicate' });
    expect(storage.requests).toEqual(['GET x.jpg', 'PUT x-thumbnail.jpg', 'HEAD x-thumbnail.jpg']);
    expect(storage.thumbnails.get('x-thumbnail.jpg')).toBe(current);
  });

  it('replaces the thumbnail of an older upload of the key: If-None-Match finds it, If-Match replaces it', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    storage.thumbnails.set('x-thumbnail.jpg', {
      etag: '"old"',
      provenance: { etag: '"old"', sourceKey: 'x.jpg', sourceEtag: 'e0', sourceSequencer: '01' },
    });
    expect(await processRecord(created('x.jpg', { sequencer: '0A' }), invocation())).toEqual({
      status: 'written',
      keys: ['x-thumbnail.jpg'],
    });
    expect(storage.puts.map((put) => put.condition)).toEqual([{ ifNoneMatch: '*' }, { ifMatch: '"old"' }]);
    expect(storage.thumbnails.get('x-thumbnail.jpg')?.provenance.sourceSequencer).toBe('0A');
  });

  it('keeps a thumbnail made from a newer upload when an old event arrives late', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    storage.thumbnails.set('x-thumbnail.jpg', {
      etag: '"new"',
      provenance: { etag: '"new"', sourceKey: 'x.jpg', sourceEtag: 'e2', sourceSequencer: '0F' },
    });
    expect(await processRecord(created('x.jpg', { sequencer: '0A' }), invocation())).toEqual({ status: 'skipped', reason: 'stale' });
    expect(storage.thumbnails.get('x-thumbnail.jpg')?.etag).toBe('"new"');
  });

  it('gives the render a deadline from the time left, keeping time back for uploads', async () => {
    const { image, renders } = fakeImage();
    const { storage, processRecord } = setup({ image });
    storage.originals.set('x.jpg', JPEG);
    await processRecord(created('x.jpg'), invocation(12_800));
    expect(renders[0]?.timeoutSeconds).toBe(9);
  });

  it('retries later (transient) when too little time is left to render, instead of running into the timeout', async () => {
    const { image, renders } = fakeImage({ readImageHeader: async () => header(900) });
    const { storage, processRecord } = setup({ image });
    storage.originals.set('x.jpg', JPEG);
    const outcome = await processRecord(created('x.jpg'), invocation(4_000));
    expect(outcome).toMatchObject({ status: 'retry', error: { name: 'OutOfTimeError' } });
    expect(renders).toEqual([]);
  });

  it('writes only if nothing is there (If-None-Match), and backs off when a newer thumbnail wins the race', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    storage.beforeWrite = (key) => {
      storage.thumbnails.set(key, { etag: '"newer"', provenance: { etag: '"newer"', sourceKey: 'x.jpg', sourceSequencer: '0F' } });
    };
    const outcome = await processRecord(created('x.jpg', { sequencer: '0A' }), invocation());
    expect(outcome).toEqual({ status: 'skipped', reason: 'stale' });
    expect(storage.puts).toEqual([{ key: 'x-thumbnail.jpg', condition: { ifNoneMatch: '*' } }]);
  });

  it('gives up after a bounded number of conflicting writes, as a transient failure', async () => {
    const { storage, processRecord } = setup();
    storage.originals.set('x.jpg', JPEG);
    let racer = 0;
    storage.beforeWrite = (key) => {
      racer++;
      storage.thumbnails.set(key, {
        etag: `"older-${racer}"`,
        provenance: { etag: `"older-${racer}"`, sourceKey: 'x.jpg', sourceSequencer: '01' },
      });
    };
    const outcome = await processRecord(created('x.jpg', { sequencer: '0A' }), invocation());
    expect(outcome).toMatchObject({ status: 'retry', error: { message: expect.stringMatching(/still conflicting/) } });
    expect(storage.puts).toHaveLength(MAX_CONDITIONAL_ATTEMPTS);
  });

  it('deletes a thumbnail only with the ETag it read, and looks again when it changed in between', async () => {
    const { storage, processRecord } = setup();
    storage.thumbnails.set('x-thumbnail.jpg', {
      etag: '"t1"',
      provenance: { etag: '"t1"', sourceBucket: 'originals', sourceKey: 'x.jpg', sourceSequencer: '01' },
    });
    let raced = false;
    storage.beforeWrite = (key) => {
      if (raced) return;
      raced = true;
      storage.thumbnails.set(key, {
        etag: '"t2"',
        provenance: { etag: '"t2"', sourceBucket: 'originals', sourceKey: 'x.jpg', sourceSequencer: '02' },
      });
    };
    const outcome = await processRecord(
      { kind: 'removed', eventName: 'ObjectRemoved:Delete', bucket: 'originals', key: 'x.jpg', sequencer: '0A' },
      invocation(),
    );
    expect(outcome).toEqual({ status: 'deleted', keys: ['x-thumbnail.jpg'] });
    expect(storage.thumbnails.size).toBe(0);
  });

  it('refuses events for the thumbnails bucket (recursion) and for any bucket but its own', async () => {
    const { processRecord } = setup();
    expect(await processRecord(created('x.jpg', { bucket: 'thumbnails' }), invocation())).toMatchObject({
      status: 'failed',
      error: { name: 'RecursionGuardError' },
    });
    expect(await processRecord(created('x.jpg', { bucket: 'elsewhere' }), invocation())).toMatchObject({
      status: 'failed',
      error: { failureClass: 'permanent' },
    });
  });
});

describe('S3 Batch Operations invocations (backfill)', () => {
  const invoke = (
    processEvent: ReturnType<typeof setup>['processEvent'],
    keys: string[],
    extra: { bucket?: string; suffixes?: string } = {},
  ) =>
    processEvent(
      batchEvent({
        schema: '2.0',
        invocationId: 'inv',
        jobId: 'job',
        tasks: keys.map((key, i) => ({ bucket: extra.bucket ?? 'originals', key, taskId: `t${i}` })),
        ...(extra.suffixes ? { userArguments: { suffixes: extra.suffixes } } : {}),
      }),
      invocation(),
    ) as Promise<BatchResponse>;

  it("writes a missing thumbnail: the original's version and the thumbnail looked up first, then GET (If-Match) and PUT", async () => {
    const { storage, processEvent } = setup();
    storage.originals.set('x.jpg', JPEG);
    const response = await invoke(processEvent, ['x.jpg']);
    expect(response).toEqual({
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'inv',
      results: [{ taskId: 't0', resultCode: 'Succeeded', resultString: 'written: x-thumbnail.jpg' }],
    });
    expect(storage.requests).toEqual(['HEAD x-thumbnail.jpg', 'HEAD x.jpg', 'GET x.jpg', 'PUT x-thumbnail.jpg']);
    expect(storage.thumbnails.get('x-thumbnail.jpg')?.provenance).toMatchObject({ sourceKey: 'x.jpg', sourceEtag: 'e1' });
  });

  it('skips a current thumbnail without downloading: a second run writes nothing', async () => {
    const { storage, processEvent } = setup();
    storage.originals.set('x.jpg', JPEG);
    await invoke(processEvent, ['x.jpg']);
    storage.requests.length = 0;
    const again = await invoke(processEvent, ['x.jpg']);
    expect(again.results).toEqual([{ taskId: 't0', resultCode: 'Succeeded', resultString: 'skipped: duplicate' }]);
    expect(storage.requests).toEqual(['HEAD x-thumbnail.jpg', 'HEAD x.jpg']);
  });

  it("keeps a thumbnail that an upload's notification made from another version", async () => {
    const { storage, processEvent } = setup();
    storage.originals.set('x.jpg', JPEG);
    storage.thumbnails.set('x-thumbnail.jpg', {
      etag: '"n"',
      provenance: { etag: '"n"', sourceKey: 'x.jpg', sourceEtag: 'e-newer', sourceSequencer: '0F' },
    });
    expect((await invoke(processEvent, ['x.jpg'])).results[0]).toMatchObject({ resultCode: 'Succeeded', resultString: 'skipped: stale' });
    expect(storage.puts).toEqual([]);
  });

  it('answers every task: gone, not a JPEG, transient, wrong bucket, unreadable, filtered by suffix', async () => {
    const refuse: ImageFunctions = {
      ...fakeImage().image,
      readImageHeader: async () => {
        throw new CorruptImageError('truncated');
      },
    };
    const { storage, processEvent, recorded } = setup({ image: refuse });
    storage.originals.set('broken.jpg', JPEG);
    storage.originals.set('slow.jpg', new TransientStorageError('HEAD: 503 SlowDown'));
    const response = await invoke(processEvent, ['gone.jpg', 'broken.jpg', 'slow.jpg', 'notes.txt'], { suffixes: '.jpg' });
    expect(response.results.map((result) => [result.taskId, result.resultCode, result.resultString])).toEqual([
      ['t0', 'Succeeded', expect.stringMatching(/^skipped: the original no longer exists/)],
      ['t1', 'PermanentFailure', 'CorruptImageError: truncated'],
      ['t2', 'TemporaryFailure', 'TransientStorageError: HEAD: 503 SlowDown'],
      ['t3', 'Succeeded', 'skipped: the key does not end in .jpg'],
    ]);
    // The completion report is the record of a backfill's failures: nothing goes to the failure queue.
    expect(recorded).toEqual([]);
    const elsewhere = await invoke(processEvent, ['x.jpg'], { bucket: 'thumbnails' });
    expect(elsewhere.results[0]).toMatchObject({
      resultCode: 'PermanentFailure',
      resultString: expect.stringMatching(/^RecursionGuardError/),
    });
  });
});

describe('renditions', () => {
  const SITE: ThumbnailConfig = {
    ...CONFIG,
    renditions: [
      ...DEFAULTS.renditions,
      { name: 'avatar', width: 64, height: 64, fit: 'cover', format: 'webp', quality: 80 },
      { name: 'preview', width: 300, format: 'avif', quality: 50 },
    ],
  };
  const withConfig = (config: ThumbnailConfig, image = fakeImage().image) => {
    const storage = new FakeStorage();
    const recorded: FailureRecord[] = [];
    const deps = {
      config,
      storage,
      recorder: { record: async (record: FailureRecord) => void recorded.push(record) },
      image,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { addMetric: () => undefined },
      now: () => 0,
      wallClock: () => new Date(0),
    };
    return { storage, recorded, processEvent: createEventProcessor(deps), processRecord: createRecordProcessor(deps) };
  };

  it('writes every rendition, each with its own provenance, the primary one last', async () => {
    const { storage, processRecord } = withConfig(SITE);
    storage.originals.set('a/x.jpg', JPEG);
    const outcome = await processRecord(created('a/x.jpg', { sequencer: '0A' }), invocation());
    expect(outcome).toEqual({ status: 'written', keys: ['a/x-avatar.webp', 'a/x-preview.avif', 'a/x-thumbnail.jpg'] });
    expect([...storage.writtenRenditions]).toEqual([
      ['a/x-avatar.webp', 'avatar/webp'],
      ['a/x-preview.avif', 'preview/avif'],
      ['a/x-thumbnail.jpg', 'thumbnail/jpeg'],
    ]);
    for (const key of storage.writtenRenditions.keys())
      expect(storage.thumbnails.get(key)?.provenance).toMatchObject({ sourceKey: 'a/x.jpg' });
  });

  it('keeps time for the AVIF encodes the deadline cannot stop: too little left is a retry, not a timeout', async () => {
    // A 2 MP AVIF is estimated at 10 s of encoding (5 s per MP): 12 s left, less the 3 s kept for
    // uploads, is too little; 14 s is enough.
    const large = { ...header(10), display: { width: 2000, height: 1000 } };
    const config: ThumbnailConfig = { ...CONFIG, renditions: [{ name: 'preview', width: 2000, format: 'avif', quality: 50 }] };
    const { image, renders } = fakeImage({ readImageHeader: async () => large });
    const { storage, processRecord } = withConfig(config, image);
    storage.originals.set('x.jpg', JPEG);
    expect(await processRecord(created('x.jpg'), invocation(12_000))).toMatchObject({ status: 'retry', error: { name: 'OutOfTimeError' } });
    expect(renders).toEqual([]);
    expect(await processRecord(created('x.jpg'), invocation(14_000))).toMatchObject({ status: 'written' });
    // The same time left is plenty for a JPEG of that size: libvips' deadline stops it if need be.
    const jpeg = withConfig({ ...CONFIG, renditions: [{ ...config.renditions[0]!, format: 'jpeg' }] }, image);
    jpeg.storage.originals.set('x.jpg', JPEG);
    expect(await jpeg.processRecord(created('x.jpg'), invocation(12_000))).toMatchObject({ status: 'written' });
  });

  it('deletes every rendition of a deleted original', async () => {
    const { storage, processRecord } = withConfig(SITE);
    storage.originals.set('a/x.jpg', JPEG);
    await processRecord(created('a/x.jpg', { sequencer: '0A' }), invocation());
    const outcome = await processRecord(
      { kind: 'removed', eventName: 'ObjectRemoved:Delete', bucket: 'originals', key: 'a/x.jpg', sequencer: '0B' },
      invocation(),
    );
    expect(outcome).toMatchObject({ status: 'deleted', keys: ['a/x-thumbnail.jpg', 'a/x-avatar.webp', 'a/x-preview.avif'] });
    expect(storage.thumbnails.size).toBe(0);
  });

  it('backfills a rendition added later: only the missing outputs are rendered and written', async () => {
    // The thumbnail was made by the default config, before the avatar and preview existed: it is current.
    const first = withConfig(CONFIG);
    first.storage.originals.set('a/x.jpg', JPEG);
    await first.processEvent(s3Event({ bucket: 'originals', key: 'a/x.jpg', eTag: 'e1' }), invocation());
    const { storage, processEvent } = withConfig(SITE);
    storage.originals.set('a/x.jpg', JPEG);
    storage.thumbnails.set('a/x-thumbnail.jpg', first.storage.thumbnails.get('a/x-thumbnail.jpg')!);
    const response = (await processEvent(
      batchEvent({ schema: '2.0', invocationId: 'inv', jobId: 'job', tasks: [{ bucket: 'originals', key: 'a/x.jpg', taskId: 't0' }] }),
      invocation(),
    )) as BatchResponse;
    expect(response.results).toEqual([expect.objectContaining({ resultCode: 'Succeeded' })]);
    expect([...storage.writtenRenditions.keys()]).toEqual(['a/x-avatar.webp', 'a/x-preview.avif']);
    expect(storage.thumbnails.get('a/x-thumbnail.jpg')).toEqual(first.storage.thumbnails.get('a/x-thumbnail.jpg'));
  });

  it('records which rendition failed', async () => {
    const failing = fakeImage({
      renderThumbnails: async () => {
        throw new CorruptImageError('encoder gave up').inRendition('preview');
      },
    }).image;
    const { storage, processEvent, recorded } = withConfig(SITE, failing);
    storage.originals.set('a/x.jpg', JPEG);
    await processEvent(s3Event({ bucket: 'originals', key: 'a/x.jpg', eTag: 'e1' }), invocation());
    expect(recorded.map((record) => record.responsePayload)).toEqual([
      expect.objectContaining({
        errorType: 'CorruptImageError',
        rendition: 'preview',
        errorMessage: 'rendition "preview": encoder gave up',
      }),
    ]);
  });

  it('never processes an upload named like one of its outputs, but does an upload named like an unconfigured one', async () => {
    const { storage, processRecord } = withConfig(SITE);
    storage.originals.set('a/x-preview.jpg', JPEG);
    expect(await processRecord(created('a/x-avatar.webp'), invocation())).toMatchObject({ status: 'skipped' });
    expect(await processRecord(created('a/x-preview.jpg'), invocation())).toMatchObject({ status: 'written' });
  });
});

describe('S3 events delivered by EventBridge (an adopted bucket)', () => {
  it('makes the thumbnail of an Object Created event, and removes it on Object Deleted, as for notifications', async () => {
    const { storage, processEvent } = setup();
    storage.originals.set('DSC 0001.JPG', JPEG);
    const upload = eventBridgeS3Event({ bucket: 'originals', key: 'DSC 0001.JPG', eTag: 'e1', sequencer: '0A' });
    expect(await processEvent(upload, invocation())).toEqual({ records: 1, written: 1, deleted: 0, skipped: 0, failed: 0 });
    expect(storage.thumbnails.get('DSC 0001.JPG.thumbnail.jpg')?.provenance).toMatchObject({
      sourceKey: 'DSC 0001.JPG',
      sourceSequencer: '0A',
    });
    // The same event again (EventBridge delivers at least once): nothing written.
    expect(await processEvent(upload, invocation())).toMatchObject({ written: 0, skipped: 1 });
    const deletion = eventBridgeS3Event({
      bucket: 'originals',
      key: 'DSC 0001.JPG',
      sequencer: '0B',
      detailType: 'Object Deleted',
      deletionType: 'Permanently Deleted',
    });
    expect(await processEvent(deletion, invocation())).toMatchObject({ deleted: 1 });
    expect(storage.thumbnails.size).toBe(0);
  });

  it('keeps a thumbnail of a newer upload when an older delete arrives late (ordered by sequencer)', async () => {
    const { storage, processEvent } = setup();
    storage.originals.set('a.jpg', JPEG);
    await processEvent(eventBridgeS3Event({ bucket: 'originals', key: 'a.jpg', eTag: 'e1', sequencer: '0C' }), invocation());
    const late = eventBridgeS3Event({
      bucket: 'originals',
      key: 'a.jpg',
      sequencer: '0B',
      detailType: 'Object Deleted',
      deletionType: 'Delete Marker Created',
    });
    expect(await processEvent(late, invocation())).toMatchObject({ deleted: 0, skipped: 1 });
    expect(storage.thumbnails.has('a-thumbnail.jpg')).toBe(true);
  });

  it('records a refused upload once, with the EventBridge event itself to replay', async () => {
    const { storage, recorded, processEvent } = setup({
      image: fakeImage({
        readImageHeader: async () => {
          throw new CorruptImageError('cannot decode');
        },
      }).image,
    });
    storage.originals.set('bad.jpg', JPEG);
    const event = eventBridgeS3Event({ bucket: 'originals', key: 'bad.jpg', eTag: 'e1' });
    expect(await processEvent(event, invocation())).toMatchObject({ failed: 1 });
    expect(recorded.map((record) => [record.responsePayload.errorType, record.responsePayload.key, record.requestPayload])).toEqual([
      ['CorruptImageError', 'bad.jpg', event],
    ]);
  });

  it('skips keys outside the prefix it serves, whichever way they come, without reading them', async () => {
    const { storage, processEvent } = setup({ config: { sourcePrefix: 'uploads/' } });
    storage.originals.set('uploads/a.jpg', JPEG);
    storage.originals.set('exports/a.jpg', JPEG);
    expect(await processEvent(eventBridgeS3Event({ bucket: 'originals', key: 'exports/a.jpg', eTag: 'e1' }), invocation())).toMatchObject({
      skipped: 1,
    });
    expect(await processEvent(s3Event({ bucket: 'originals', key: 'exports/a.jpg', eTag: 'e1' }), invocation())).toMatchObject({
      skipped: 1,
    });
    expect(storage.requests).toEqual([]);
    expect(await processEvent(eventBridgeS3Event({ bucket: 'originals', key: 'uploads/a.jpg', eTag: 'e1' }), invocation())).toMatchObject({
      written: 1,
    });
  });

  it('refuses an event for another bucket, and never writes into the bucket it reads (the adopted one)', async () => {
    const { storage, recorded, processEvent } = setup();
    expect(await processEvent(eventBridgeS3Event({ bucket: 'someone-else', key: 'a.jpg' }), invocation())).toMatchObject({ failed: 1 });
    expect(await processEvent(eventBridgeS3Event({ bucket: 'thumbnails', key: 'a-thumbnail.jpg' }), invocation())).toMatchObject({
      failed: 1,
    });
    expect(recorded.map((record) => record.responsePayload.errorType)).toEqual(['ThumbnailError', 'RecursionGuardError']);
    expect(storage.puts.map((put) => put.key)).toEqual([]);
  });
});
