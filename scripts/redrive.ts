/**
 * `make redrive`: replay the uploads recorded in the failure queue, once their cause is fixed.
 * Each record (Lambda's on-failure record, or the handler's own for permanent failures) carries the
 * original S3 event; it is invoked again asynchronously, as S3 would, and deleted from the queue
 * once accepted. A replay that fails again is recorded again, so nothing is lost either way.
 * `--dry-run` lists what is waiting, by error type. `--local` works on `make local`'s queue.
 */

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { decodeEventKey } from '../handlers/thumbnail/keys';
import { readEnvironment } from '../infra/environments-file';
import { resourceNames } from '../infra/names';
import { checkCredentials } from './lib/aws-credentials';
import { isMain, runMain } from './lib/cli';
import { LocalPipeline } from './local/pipeline';
import { queueUrl } from './local/stack-model';

export interface RecordSummary {
  readonly errorType: string;
  readonly condition: string;
  readonly key?: string;
  /** Which delivery of which upload: S3 may deliver one event twice, and each delivery may be recorded. */
  readonly event: string;
}

/** An event's key decoded as the handler decodes it; one that is not valid URL encoding, as it came. */
function keyForListing(encoded: string): string {
  try {
    return decodeEventKey(encoded);
  } catch {
    return encoded;
  }
}

/** What a failure record says, for the listing. Pure. */
export function summarize(body: string): (RecordSummary & { readonly payload: unknown }) | undefined {
  let record: { requestPayload?: unknown; requestContext?: { condition?: string }; responsePayload?: { errorType?: string; key?: string } };
  try {
    record = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (record.requestPayload === undefined) return undefined;
  const s3 = (
    record.requestPayload as {
      Records?: { s3?: { bucket?: { name?: string }; object?: { key?: string; sequencer?: string; eTag?: string } } }[];
    }
  ).Records?.[0]?.s3;
  const s3Key = s3?.object?.key;
  const key = record.responsePayload?.key ?? (s3Key === undefined ? undefined : keyForListing(s3Key));
  return {
    payload: record.requestPayload,
    errorType: record.responsePayload?.errorType ?? 'unknown',
    condition: record.requestContext?.condition ?? 'unknown',
    ...(key === undefined ? {} : { key }),
    event: JSON.stringify([s3?.bucket?.name, s3Key, s3?.object?.sequencer ?? s3?.object?.eTag ?? body]),
  };
}

export interface RedriveOptions {
  readonly dryRun: boolean;
  readonly limit: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RedriveReport {
  readonly replayed: RecordSummary[];
  readonly waiting: RecordSummary[];
  /** Further records of an event already replayed (or listed): removed (or counted) without a second replay. */
  readonly duplicates: number;
  readonly unreadable: number;
  readonly failedToReplay: number;
}

/** Replay (or, dry, list) the records in an SQS queue; `replay` resolves once the event is accepted. */
export async function redrive(
  sqs: SQSClient,
  queueUrl: string,
  replay: (event: unknown) => Promise<void>,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const total = Math.min(options.limit, Number(attributes.Attributes?.['ApproximateNumberOfMessages'] ?? 0));
  const replayed: RecordSummary[] = [];
  const waiting: RecordSummary[] = [];
  let unreadable = 0;
  let failedToReplay = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const events = new Set<string>();
  const handled = () => replayed.length + waiting.length + unreadable + failedToReplay + duplicates;
  while (handled() < options.limit) {
    const received = await sqs.send(
      // A dry run hides what it read for a minute, so it lists each record once; nothing is deleted.
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, options.limit - handled()),
        VisibilityTimeout: options.dryRun ? 60 : 300,
        WaitTimeSeconds: 1,
      }),
    );
    const messages = (received.Messages ?? []).filter((message) => !seen.has(message.MessageId ?? ''));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId ?? '');
      const summary = summarize(message.Body ?? '');
      if (!summary) {
        unreadable += 1;
      } else {
        const { payload, ...listed } = summary;
        if (events.has(listed.event)) {
          duplicates += 1;
          if (!options.dryRun) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        } else if (options.dryRun) {
          events.add(listed.event);
          waiting.push(listed);
        } else {
          try {
            await replay(payload);
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
            events.add(listed.event);
            replayed.push(listed);
          } catch {
            failedToReplay += 1;
          }
        }
      }
      options.onProgress?.(handled(), Math.max(total, seen.size));
    }
  }
  return { replayed, waiting, duplicates, unreadable, failedToReplay };
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
}

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
    const pipeline = await LocalPipeline.startEnvironment(options.env, {
      reset: false,
      concurrency: 2,
      duplicateRate: 0,
      notifications: false,
    });
    const sqs = new SQSClient({
      endpoint: pipeline.sqs.endpoint,
      region: pipeline.model.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      bar.start(0, 0);
      const outcomes: Promise<boolean>[] = [];
      const replay = async (event: unknown) => {
        outcomes.push(pipeline.invokeAsync('thumbnail', event).then((result) => result.ok));
      };
      const report = await redrive(sqs, queueUrl(pipeline.endpoints, names.failureQueue), replay, { ...options, onProgress });
      await pipeline.idle();
      bar.stop();
      printReport(report, options.dryRun);
      if (!options.dryRun) {
        const ok = (await Promise.all(outcomes)).filter(Boolean).length;
        console.log(
          `  ${ok} processed now, ${outcomes.length - ok} failed again and were recorded again (see ${pipeline.queueFile(names.failureQueue)})`,
        );
      }
      return 0;
    } finally {
      sqs.destroy();
      await pipeline.close();
    }
  }

  await checkCredentials();
  const sqs = new SQSClient({ region: config.region });
  const lambda = new LambdaClient({ region: config.region });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.failureQueue }));
    if (!QueueUrl) throw new Error(`queue ${names.failureQueue} not found in ${config.region}`);
    bar.start(0, 0);
    const report = await redrive(
      sqs,
      QueueUrl,
      async (event) => {
        // Asynchronous, as S3 invokes: Lambda's retries and on-failure destination apply again.
        await lambda.send(
          new InvokeCommand({
            FunctionName: names.thumbnailFunction,
            InvocationType: 'Event',
            Payload: Buffer.from(JSON.stringify(event)),
          }),
        );
      },
      { ...options, onProgress },
    );
    bar.stop();
    printReport(report, options.dryRun);
    return report.failedToReplay > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
}

if (isMain(import.meta.url)) runMain('redrive', main);
