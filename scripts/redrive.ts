/**
 * `make redrive`: replay the uploads recorded in the failure queue, once their cause is fixed.
 * Each record (Lambda's on-failure record, or the handler's own for permanent failures) carries the
 * original S3 event; on AWS it is invoked again asynchronously, as S3 would, and deleted from the
 * queue once accepted. A replay that fails again is recorded again, so nothing is lost either way.
 * `--dry-run` lists what is waiting, by error type. `--local` works on `make local`'s queue (the
 * running stack, or one started for it), invoking synchronously so that it can say which replays
 * failed again; it then exits non-zero if any did.
 */

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { eventObjectOf } from '../handlers/thumbnail/event-source';
import { isEventBridgeS3Event } from '../handlers/thumbnail/eventbridge';
import { decodeEventKeyOrKeep } from '../handlers/thumbnail/keys';
import { adoptedBucketOf } from '../infra/config';
import { readEnvironment } from '../infra/environments-file';
import { resourceNames } from '../infra/names';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, runMain } from './lib/cli';
import { connectLocalStack } from './local/connect';

export interface RecordSummary {
  readonly errorType: string;
  readonly condition: string;
  readonly key?: string;
  /** Which delivery of which upload: S3 may deliver one event twice, and each delivery may be recorded. */
  readonly event: string;
}

/** What a failure record says, for the listing. Pure. */
export function summarize(body: string): (RecordSummary & { readonly payload: unknown }) | undefined {
  let record: { requestPayload?: unknown; requestContext?: { condition?: string }; responsePayload?: { errorType?: string; key?: string } };
  try {
    record = JSON.parse(body);
  } catch {
    return undefined;
  }
  // An EventBridge rule's dead letter is the event itself (the reason is in the message's attributes).
  if (isEventBridgeS3Event(record))
    record = {
      requestPayload: record,
      requestContext: { condition: 'EventBridgeDeadLetter' },
      responsePayload: { errorType: 'Undelivered' },
    };
  if (record.requestPayload === undefined) return undefined;
  const object = eventObjectOf(record.requestPayload);
  const key = record.responsePayload?.key ?? (object?.key === undefined ? undefined : decodeEventKeyOrKeep(object.key));
  return {
    payload: record.requestPayload,
    errorType: record.responsePayload?.errorType ?? 'unknown',
    condition: record.requestContext?.condition ?? 'unknown',
    ...(key === undefined ? {} : { key }),
    event: JSON.stringify([object?.bucket, object?.key, object?.sequencer ?? object?.eTag ?? body]),
  };
}

export interface RedriveOptions {
  readonly dryRun: boolean;
  readonly limit: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * What became of a replay: `accepted` (AWS: invoked asynchronously, the outcome comes later),
 * `processed` or `failed` (locally, invoked synchronously: a failure was recorded again).
 */
export type ReplayOutcome = 'accepted' | 'processed' | 'failed';

export interface RedriveReport {
  readonly replayed: (RecordSummary & { readonly outcome: ReplayOutcome })[];
  readonly waiting: RecordSummary[];
  /** Further records of an event already replayed (or listed): removed (or counted) without a second replay. */
  readonly duplicates: number;
  readonly unreadable: number;
  /** Replays the function did not take (an error invoking, or an unhandled error): their records stay. */
  readonly failedToReplay: number;
}

interface Received {
  readonly receiptHandle: string | undefined;
  readonly summary: ReturnType<typeof summarize>;
}

/**
 * Replay (or, dry, list) the records in an SQS queue. Every record is read first, and hidden while
 * the replays run, so a failure recorded again during this run waits for the next one instead of
 * being read back now. `replay` resolves once the event is taken; a record is deleted only then.
 */
export async function redrive(
  sqs: SQSClient,
  queueUrl: string,
  replay: (event: unknown) => Promise<ReplayOutcome>,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const total = Math.min(options.limit, Number(attributes.Attributes?.['ApproximateNumberOfMessages'] ?? 0));
  const received: Received[] = [];
  const seen = new Set<string>();
  while (received.length < options.limit) {
    const batch = await sqs.send(
      // A dry run hides what it read for a minute, so it lists each record once; nothing is deleted.
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, options.limit - received.length),
        VisibilityTimeout: options.dryRun ? 60 : 900,
        WaitTimeSeconds: 1,
      }),
    );
    const messages = (batch.Messages ?? []).filter((message) => !seen.has(message.MessageId ?? ''));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId ?? '');
      received.push({ receiptHandle: message.ReceiptHandle, summary: summarize(message.Body ?? '') });
    }
  }

  const report: {
    replayed: RedriveReport['replayed'];
    waiting: RecordSummary[];
    duplicates: number;
    unreadable: number;
    failedToReplay: number;
  } = {
    replayed: [],
    waiting: [],
    duplicates: 0,
    unreadable: 0,
    failedToReplay: 0,
  };
  const events = new Set<string>();
  const remove = (message: Received) => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
  for (const [index, message] of received.entries()) {
    const { summary } = message;
    if (!summary) report.unreadable += 1;
    else {
      const { payload, ...listed } = summary;
      if (events.has(listed.event)) {
        report.duplicates += 1;
        if (!options.dryRun) await remove(message);
      } else if (options.dryRun) {
        events.add(listed.event);
        report.waiting.push(listed);
      } else {
        try {
          const outcome = await replay(payload);
          await remove(message);
          events.add(listed.event);
          report.replayed.push({ ...listed, outcome });
        } catch {
          report.failedToReplay += 1;
        }
      }
    }
    options.onProgress?.(index + 1, Math.max(total, received.length));
  }
  return report;
}

function printReport(report: RedriveReport, dryRun: boolean) {
  const records = dryRun ? report.waiting : report.replayed;
  const byError = new Map<string, RecordSummary[]>();
  for (const record of records) {
    const error = `${record.errorType} (${record.condition})`;
    byError.set(error, [...(byError.get(error) ?? []), record]);
  }
  console.log(`\n${dryRun ? 'waiting in the failure queue' : 'replayed'}: ${records.length}`);
  for (const [error, list] of byError) {
    console.log(
      `  ${String(list.length).padStart(5)}  ${error}: ${list
        .slice(0, 3)
        .map((r) => r.key ?? '?')
        .join(', ')}${list.length > 3 ? ', ...' : ''}`,
    );
  }
  if (report.duplicates > 0)
    console.log(`  ${report.duplicates} more record(s) of the same events (S3 delivered them twice)${dryRun ? '' : '; removed'}`);
  if (report.unreadable > 0) console.log(`  ${report.unreadable} message(s) are not failure records; left in the queue`);
  if (report.failedToReplay > 0) console.log(`  ${report.failedToReplay} could not be replayed; left in the queue`);
  if (!dryRun) {
    const processed = report.replayed.filter((record) => record.outcome === 'processed').length;
    const failed = report.replayed.filter((record) => record.outcome === 'failed').length;
    if (processed + failed > 0) console.log(`  ${processed} processed now, ${failed} failed again and recorded again`);
  }
}

/** Whether a redrive left something to look at: a replay that failed again or was not taken. */
export const redriveFailed = (report: RedriveReport): boolean =>
  report.failedToReplay > 0 || report.replayed.some((record) => record.outcome === 'failed');

interface Options {
  env: string;
  local: boolean;
  dryRun: boolean;
  limit: number;
}

async function main(): Promise<number> {
  const program = new Command('redrive')
    .description('Replay the uploads recorded in the failure queue')
    .option('--env <name>', 'environment', 'dev')
    .option('--local', "work on `make local`'s queue and functions instead of AWS", false)
    .option('--dry-run', 'list what is waiting, by error type; change nothing', false)
    .addOption(new Option('--limit <n>', 'replay at most this many').argParser(Number).default(Number.POSITIVE_INFINITY))
    .parse();
  const options = program.opts<Options>();
  const config = readEnvironment(options.env);
  const names = resourceNames(config.namePrefix);
  const bar = new SingleBar({ format: 'redrive [{bar}] {value}/{total}', noTTYOutput: true, notTTYSchedule: 2000 }, Presets.shades_classic);
  const onProgress = (done: number, total: number) => {
    bar.setTotal(total);
    bar.update(done);
  };

  if (options.local) {
    const local = await connectLocalStack(options.env, { command: 'make redrive LOCAL=1', concurrency: 2 });
    try {
      if (local.attached) console.log(`using the running local stack (pid ${local.attached.pid})`);
      const functionName = local.functionModel('thumbnail').functionName;
      bar.start(0, 0);
      // Synchronously, so each replay's outcome is known: the handler's summary says whether it failed again.
      const replay = async (event: unknown): Promise<ReplayOutcome> => {
        const response = await local.lambda.send(
          new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
        );
        const result = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8') || 'null') as {
          failed?: number;
          errorMessage?: string;
        } | null;
        if (response.FunctionError) throw new Error(result?.errorMessage ?? 'the invocation failed');
        return (result?.failed ?? 0) > 0 ? 'failed' : 'processed';
      };
      const report = await redrive(local.sqs, local.queueUrl(names.failureQueue), replay, { ...options, onProgress });
      bar.stop();
      printReport(report, options.dryRun);
      return redriveFailed(report) ? 1 : 0;
    } finally {
      await local.close();
    }
  }

  await checkCredentials();
  const sqs = new SQSClient({ region: config.region });
  const lambda = new LambdaClient({ region: config.region });
  // An adopted bucket's EventBridge rule keeps the events it could not deliver in a queue of its own.
  const queues = [names.failureQueue, ...(adoptedBucketOf(config)?.delivery === 'eventbridge' ? [names.deadLetterQueue] : [])];
  try {
    let failed = 0;
    for (const queue of queues) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      if (!QueueUrl) throw new Error(`queue ${queue} not found in ${config.region}`);
      console.log(`queue ${queue}`);
      bar.start(0, 0);
      const report = await redrive(
        sqs,
        QueueUrl,
        async (event): Promise<ReplayOutcome> => {
          // Asynchronous, as S3 and EventBridge invoke: Lambda's retries and on-failure destination apply again.
          await lambda.send(
            new InvokeCommand({
              FunctionName: names.thumbnailFunction,
              InvocationType: 'Event',
              Payload: Buffer.from(JSON.stringify(event)),
            }),
          );
          return 'accepted';
        },
        { ...options, onProgress },
      );
      bar.stop();
      printReport(report, options.dryRun);
      failed += report.failedToReplay;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
}

if (isMain(import.meta.url)) runMain('redrive', main);
