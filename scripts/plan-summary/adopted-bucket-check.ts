/**
 * The promise an adopted bucket's stack makes, checked on its real plan (`terraform show -json`):
 * no planned change touches the bucket, except the one resource its delivery needs (the bucket
 * notification, delivery "notification") and the inventory its config asked for. Pure.
 */

import { isPlainObject as isObject } from '../../lib/json';
import { ACTION, classify, type RawPlan, type RawResourceChange } from './plan';

export interface BucketTouch {
  readonly address: string;
  readonly type: string;
  readonly action: string;
}

/** Whether a resource's state (before or after) names the bucket: as its `bucket`, or as the bucket itself. */
function names(state: unknown, type: string, bucket: string): boolean {
  if (!isObject(state)) return false;
  if (state['bucket'] === bucket) return true;
  return type === 'aws_s3_bucket' && (state['id'] === bucket || state['bucket_prefix'] === bucket);
}

/**
 * The planned changes that would create, change or delete anything naming `bucket`, leaving out
 * the resource types in `allowed` (each one an explicit part of the configuration). Reads and
 * no-ops are not changes.
 */
export function changesTouchingBucket(plan: RawPlan, bucket: string, allowed: readonly string[] = []): BucketTouch[] {
  return (plan.resource_changes ?? [])
    .filter((change: RawResourceChange) => change.mode === undefined || change.mode === 'managed')
    .filter((change) => ![ACTION.noop, ACTION.read].includes(classify(change.change.actions) as 'no-op' | 'read'))
    .filter((change) => names(change.change.before, change.type, bucket) || names(change.change.after, change.type, bucket))
    .filter((change) => !allowed.includes(change.type))
    .map((change) => ({ address: change.address, type: change.type, action: classify(change.change.actions) }));
}
