/**
 * What `make plan`, `make deploy` and `make destroy` learn from an adopted bucket before terraform
 * runs, and write nowhere but the stack folder: that it exists in the stack's region, whether
 * EventBridge is on (delivery "eventbridge": stop, saying how to turn it on, if not), and its
 * notification configuration (delivery "notification": carried over verbatim, refused where it
 * would overlap the stack's own). Only reads: GetBucketNotificationConfiguration and HeadBucket.
 * The one write is `releaseAdoptedNotifications`, on `make destroy`, which puts back what the bucket had.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  type NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type AdoptedBucketSettings, adoptedBucketOf, type StackConfig } from '../infra/config';
import { ADOPTED_BUCKET_VARIABLES, ADOPTED_BUCKET_VARIABLES_FILE, enableEventBridgeInstructions, resourceNames } from '../infra/names';
import {
  carriedOver,
  type Destination,
  describeDestination,
  destinationsOf,
  isOwn,
  type OwnEntries,
  overlaps,
  withoutOwn,
} from './lib/bucket-notifications';

/** Something about the adopted bucket that stops the plan before anything changes. */
export class AdoptedBucketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdoptedBucketError';
  }
}

export interface AdoptedBucketState {
  readonly region: string | undefined;
  readonly notifications: NotificationConfiguration;
}

interface SdkError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string> };
}

/** The bucket's region and notification configuration, read with the caller's credentials. */
export async function readAdoptedBucket(s3: S3Client, bucket: string): Promise<AdoptedBucketState> {
  let region: string | undefined;
  try {
    region = (await s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion;
  } catch (error) {
    const { $metadata, $response } = error as SdkError;
    const status = $metadata?.httpStatusCode;
    const elsewhere = $response?.headers?.['x-amz-bucket-region'];
    if (status === 301 && elsewhere) return { region: elsewhere, notifications: {} };
    if (status === 404)
      throw new AdoptedBucketError(`bucket ${bucket} does not exist: check originals.existingBucket. Nothing was changed.`);
    if (status === 403)
      throw new AdoptedBucketError(
        `bucket ${bucket} exists, but these credentials may not read it (HeadBucket: 403): the deployer needs s3:ListBucket and s3:GetBucketNotification on it. Nothing was changed.`,
      );
    throw error;
  }
  return { region, notifications: await readNotifications(s3, bucket) };
}

/** The bucket's notification configuration, without the SDK's response metadata. */
export async function readNotifications(s3: S3Client, bucket: string): Promise<NotificationConfiguration> {
  const { $metadata: _, ...configuration } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  return configuration;
}

/** How the stack recognises its own entries in the bucket's configuration. */
export const ownEntriesOf = (config: Pick<StackConfig, 'namePrefix'>): OwnEntries => {
  const names = resourceNames(config.namePrefix);
  return { idPrefix: names.notificationIdPrefix, functionName: names.thumbnailFunction };
};

/** The stack's own notification entries as they will be written (delivery "notification"), for the overlap check. */
export function plannedOwnDestinations(config: StackConfig, adopted: AdoptedBucketSettings): Destination[] {
  const events = config.thumbnail.deleteWithOriginals ? ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] : ['s3:ObjectCreated:*'];
  return events.flatMap((event) =>
    config.thumbnail.triggerSuffixes.map((suffix) => ({
      kind: 'lambda_function' as const,
      arn: `(this stack's ${resourceNames(config.namePrefix).thumbnailFunction})`,
      events: [event],
      ...(adopted.prefix ? { prefix: adopted.prefix } : {}),
      suffix,
    })),
  );
}

/**
 * The variables terraform needs for an adopted bucket, from its state, or why the plan must not go
 * on: another region, EventBridge off (delivery "eventbridge"), or existing notifications that
 * would overlap the stack's (delivery "notification").
 */
export function adoptedBucketVariables(config: StackConfig, state: AdoptedBucketState): Record<string, unknown> {
  const adopted = adoptedBucketOf(config);
  if (!adopted) return {};
  if (state.region !== undefined && state.region !== config.region)
    throw new AdoptedBucketError(
      `bucket ${adopted.name} is in ${state.region}, but the stack is in ${config.region}: set the environment's "region" to ${state.region}. Nothing was changed.`,
    );
  if (adopted.delivery === 'eventbridge') {
    const on = state.notifications.EventBridgeConfiguration !== undefined;
    if (!on) throw new AdoptedBucketError(enableEventBridgeInstructions(adopted.name));
    return { [ADOPTED_BUCKET_VARIABLES.eventBridge]: on };
  }
  const own = ownEntriesOf(config);
  const theirs = destinationsOf(state.notifications).filter((destination) => !isOwn(destination, own));
  const clashes = overlaps(theirs, plannedOwnDestinations(config, adopted));
  if (clashes.length > 0)
    throw new AdoptedBucketError(
      [
        `bucket ${adopted.name} already has notifications that would overlap the stack's (S3 refuses two rules for the same event and keys):`,
        ...clashes.map(({ existing, ours }) => `  - ${describeDestination(existing)}\n    overlaps ${describeDestination(ours)}`),
        'Give the stack a prefix (originals.prefix) no existing rule covers, or use delivery "eventbridge", which leaves the notifications alone. Nothing was changed.',
      ].join('\n'),
    );
  return { [ADOPTED_BUCKET_VARIABLES.notifications]: carriedOver(state.notifications, own) };
}

/** Write the variables where terraform reads them by itself (`*.auto.tfvars.json` in the stack folder). */
export function writeAdoptedBucketVariables(stackDir: string, variables: Record<string, unknown>): string | undefined {
  if (Object.keys(variables).length === 0) return undefined;
  const path = join(stackDir, ADOPTED_BUCKET_VARIABLES_FILE);
  writeFileSync(path, `${JSON.stringify(variables, null, 2)}\n`);
  return path;
}

/** One paragraph on what was found, for the console and the plan summary. */
export function describeAdoptedBucket(adopted: AdoptedBucketSettings, state: AdoptedBucketState, own: OwnEntries): string[] {
  const existing = destinationsOf(state.notifications);
  const theirs = existing.filter((destination) => !isOwn(destination, own));
  return [
    `adopted bucket ${adopted.name} (${state.region ?? 'region not reported'}): EventBridge ${state.notifications.EventBridgeConfiguration ? 'on' : 'off'}, ` +
      `${theirs.length} notification(s) of other consumers${existing.length > theirs.length ? `, ${existing.length - theirs.length} of this stack's` : ''}`,
    adopted.delivery === 'eventbridge'
      ? '  delivery "eventbridge": the stack writes nothing on the bucket; a rule of its own selects the uploads'
      : `  delivery "notification": the bucket's ${theirs.length} other notification(s) are carried over verbatim beside the stack's own`,
    ...theirs.map((destination) => `  kept: ${describeDestination(destination)}`),
  ];
}

/**
 * `make destroy` with delivery "notification": put back the configuration the bucket had besides
 * the stack's own, before terraform lets go of the notification resource (which would write an
 * empty configuration). Returns what was written.
 */
export async function releaseAdoptedNotifications(s3: S3Client, config: StackConfig): Promise<NotificationConfiguration | undefined> {
  const adopted = adoptedBucketOf(config);
  if (adopted?.delivery !== 'notification') return undefined;
  const { notifications } = await readAdoptedBucket(s3, adopted.name);
  const before = withoutOwn(notifications, ownEntriesOf(config));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: adopted.name,
      NotificationConfiguration: before,
      // The destinations are the ones the bucket already had: no test event is sent to them.
      SkipDestinationValidation: true,
    }),
  );
  return before;
}
