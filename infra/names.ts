/** What the stack names things, for the stack itself and for the tools that address them. Pure. */

export const stackName = (environment: string) => `thumbnails-${environment}`;

/** Where local state lives, relative to the stack folder terraform runs in: outside cdktf.out, so `make clean` keeps it. */
export const localStatePath = (stackName: string) => `../../../terraform-state/${stackName}.tfstate`;

/** Resource names derived from the prefix, shared with the tools that address them (`make redrive`). */
export const resourceNames = (prefix: string) => ({
  thumbnailFunction: `${prefix}-thumbnail`,
  calculatorFunction: `${prefix}-calculator`,
  failureQueue: `${prefix}-thumbnail-failures`,
  /** An adopted bucket's EventBridge rule, and the queue of the events it could not deliver. */
  uploadsRule: `${prefix}-uploads`,
  deadLetterQueue: `${prefix}-undelivered-uploads`,
  /** Ids of the notification configurations the stack adds to an adopted bucket (delivery "notification"). */
  notificationIdPrefix: `${prefix}-thumbnail-`,
  backfillRole: `${prefix}-backfill`,
});

/** The job bucket's name prefix (Terraform adds a unique suffix; the local runner, `local`). */
export const jobBucketPrefix = (prefix: string) => `${prefix}-jobs-`;

/**
 * Where backfills keep their files in the job bucket: manifests that `make backfill` writes and
 * Batch Operations reads, and the completion reports Batch writes. The Batch role may touch nothing else.
 */
export const BACKFILL_PREFIXES = { manifests: 'backfill/manifests/', reports: 'backfill/reports/' } as const;

/** Where S3 delivers the originals' inventory (when `backfill.inventory`): under the manifests, so Batch may read it. */
export const INVENTORY_PREFIX = `${BACKFILL_PREFIXES.manifests}inventory`;

/** Terraform variables an adopted bucket's stack reads from the bucket at plan time (`make plan` fills them in). */
export const ADOPTED_BUCKET_VARIABLES = {
  /** Whether S3 sends the bucket's events to EventBridge (delivery "eventbridge"). */
  eventBridge: 'adopted_bucket_eventbridge',
  /** The bucket's notification configuration as found, carried over beside the stack's own (delivery "notification"). */
  notifications: 'adopted_bucket_notifications',
} as const;

/** The file `make plan` writes them to in the stack folder, which terraform reads by itself. */
export const ADOPTED_BUCKET_VARIABLES_FILE = 'adopted-bucket.auto.tfvars.json';

/**
 * How a bucket's owner turns EventBridge on without losing the notifications the bucket already
 * has: the setting is part of the bucket's one notification configuration, so it is read, the
 * EventBridge entry added, and the whole written back (what the S3 console's switch does too).
 */
export function enableEventBridgeInstructions(bucket: string): string {
  return [
    `EventBridge is off for bucket ${bucket}: S3 sends its events nowhere the stack can see, and the stack never changes the bucket itself.`,
    "Its owner turns it on once, keeping every notification it already has (the S3 console's Properties > Amazon EventBridge > On does the same):",
    `  aws s3api get-bucket-notification-configuration --bucket ${bucket} > notification.json`,
    `  jq -s '(.[0] // {}) + {"EventBridgeConfiguration": {}}' notification.json > notification-eventbridge.json`,
    `  aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration file://notification-eventbridge.json --skip-destination-validation`,
    '(--skip-destination-validation: the destinations are the ones already there, so S3 sends them no test event.) Then plan again. Nothing was changed.',
  ].join('\n');
}
