/**
 * An adopted bucket's notification configuration, as S3 returns it (GetBucketNotificationConfiguration),
 * and what the stack does with it: which entries are its own, which it carries over (delivery
 * "notification": into var.adopted_bucket_notifications), which of those would overlap its own (S3
 * refuses overlapping rules for one event type), and what to write back when the stack lets go of
 * the bucket. Pure.
 */

import type { NotificationConfiguration } from '@aws-sdk/client-s3';

/** One destination of any kind, with its filters, as the comparison needs it. */
export interface Destination {
  readonly kind: 'lambda_function' | 'queue' | 'topic';
  readonly id?: string;
  readonly arn: string;
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
}

/** What identifies the stack's own entries: the id prefix it gives them, and the function they invoke. */
export interface OwnEntries {
  readonly idPrefix: string;
  readonly functionName: string;
}

type Filtered = { Filter?: { Key?: { FilterRules?: { Name?: string; Value?: string }[] } } };

function filterValue(entry: Filtered, name: 'prefix' | 'suffix'): string | undefined {
  const rule = entry.Filter?.Key?.FilterRules?.find((candidate) => candidate.Name?.toLowerCase() === name);
  return rule?.Value === undefined || rule.Value === '' ? undefined : rule.Value;
}

/** Every destination of a configuration, of every kind. */
export function destinationsOf(configuration: NotificationConfiguration): Destination[] {
  const read = (kind: Destination['kind'], arn: string | undefined, entry: Filtered & { Id?: string; Events?: string[] }): Destination => ({
    kind,
    arn: arn ?? '',
    events: entry.Events ?? [],
    ...(entry.Id ? { id: entry.Id } : {}),
    ...(filterValue(entry, 'prefix') === undefined ? {} : { prefix: filterValue(entry, 'prefix') }),
    ...(filterValue(entry, 'suffix') === undefined ? {} : { suffix: filterValue(entry, 'suffix') }),
  });
  return [
    ...(configuration.LambdaFunctionConfigurations ?? []).map((entry) => read('lambda_function', entry.LambdaFunctionArn, entry)),
    ...(configuration.QueueConfigurations ?? []).map((entry) => read('queue', entry.QueueArn, entry)),
    ...(configuration.TopicConfigurations ?? []).map((entry) => read('topic', entry.TopicArn, entry)),
  ];
}

/** An entry the stack wrote: its id, or a Lambda destination that is the stack's function (any qualifier). */
export function isOwn(destination: Destination, own: OwnEntries): boolean {
  if (destination.id?.startsWith(own.idPrefix)) return true;
  return destination.kind === 'lambda_function' && new RegExp(`:function:${own.functionName}(:[^:]+)?$`).test(destination.arn);
}

/** The Terraform value of var.adopted_bucket_notifications: everything the bucket has besides the stack's own, verbatim. */
export function carriedOver(configuration: NotificationConfiguration, own: OwnEntries) {
  const theirs = destinationsOf(configuration).filter((destination) => !isOwn(destination, own));
  const arnField = { lambda_function: 'lambda_function_arn', queue: 'queue_arn', topic: 'topic_arn' } as const;
  const block = (kind: Destination['kind']) =>
    theirs
      .filter((destination) => destination.kind === kind)
      .map((destination) => ({
        // S3 gives every entry an id; the provider sends back the one it is given.
        id: destination.id ?? '',
        [arnField[kind]]: destination.arn,
        events: [...destination.events],
        filter_prefix: destination.prefix ?? null,
        filter_suffix: destination.suffix ?? null,
      }));
  return {
    eventbridge: configuration.EventBridgeConfiguration !== undefined,
    lambda_function: block('lambda_function'),
    queue: block('queue'),
    topic: block('topic'),
  };
}

/** The configuration with the stack's own entries removed: what the bucket had before the stack, written back when it lets go. */
export function withoutOwn(configuration: NotificationConfiguration, own: OwnEntries): NotificationConfiguration {
  const mine = (kind: Destination['kind'], id: string | undefined, arn: string | undefined) =>
    isOwn({ kind, arn: arn ?? '', events: [], ...(id ? { id } : {}) }, own);
  const lambdas = configuration.LambdaFunctionConfigurations?.filter(
    (entry) => !mine('lambda_function', entry.Id, entry.LambdaFunctionArn),
  );
  const queues = configuration.QueueConfigurations?.filter((entry) => !mine('queue', entry.Id, entry.QueueArn));
  const topics = configuration.TopicConfigurations?.filter((entry) => !mine('topic', entry.Id, entry.TopicArn));
  return {
    ...(lambdas?.length ? { LambdaFunctionConfigurations: lambdas } : {}),
    ...(queues?.length ? { QueueConfigurations: queues } : {}),
    ...(topics?.length ? { TopicConfigurations: topics } : {}),
    ...(configuration.EventBridgeConfiguration ? { EventBridgeConfiguration: configuration.EventBridgeConfiguration } : {}),
  };
}

/** Does one event type pattern cover another's events (`s3:ObjectCreated:*` and `s3:ObjectCreated:Put` do)? */
function eventsOverlap(a: string, b: string): boolean {
  const family = (event: string) => event.replace(/:\*$/, ':');
  if (a === b) return true;
  return (a.endsWith(':*') && b.startsWith(family(a))) || (b.endsWith(':*') && a.startsWith(family(b)));
}

const prefixesOverlap = (a = '', b = '') => a.startsWith(b) || b.startsWith(a);
const suffixesOverlap = (a = '', b = '') => a.endsWith(b) || b.endsWith(a);

/**
 * Where an existing destination and one of the stack's would both take the same event for the same
 * key, which S3 refuses ("Configurations overlap"): a shared event type, and prefixes (and
 * suffixes) of which one starts (ends) the other, an absent filter overlapping every other.
 */
export function overlaps(existing: readonly Destination[], ours: readonly Destination[]): { existing: Destination; ours: Destination }[] {
  return existing.flatMap((theirs) =>
    ours
      .filter(
        (own) =>
          theirs.events.some((a) => own.events.some((b) => eventsOverlap(a, b))) &&
          prefixesOverlap(theirs.prefix, own.prefix) &&
          suffixesOverlap(theirs.suffix, own.suffix),
      )
      .map((own) => ({ existing: theirs, ours: own })),
  );
}

/** One line naming a destination, for messages. */
export const describeDestination = (destination: Destination) =>
  `${destination.id ? `"${destination.id}" ` : ''}${destination.kind.replace('_', ' ')} ${destination.arn} on ${destination.events.join(', ')}` +
  `${destination.prefix ? ` prefix "${destination.prefix}"` : ''}${destination.suffix ? ` suffix "${destination.suffix}"` : ''}`;
