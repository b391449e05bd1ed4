/**
 * S3 Batch Operations' LambdaInvoke payloads (invocation schemas 1.0 and 2.0), as Batch sends them:
 * one task per invocation, the key URL-encoded as in event notifications, the bucket as an ARN
 * (1.0) or a name (2.0), and 2.0's userArguments. Pure.
 */

import { encodeEventKey } from '../../handlers/thumbnail/keys';

export type BatchSchema = '1.0' | '2.0';

export interface BatchTaskSpec {
  readonly bucket: string;
  /** The key as stored; the task carries it URL-encoded. */
  readonly key: string;
  readonly versionId?: string;
  readonly taskId: string;
}

export interface BatchEventSpec {
  readonly schema: BatchSchema;
  readonly invocationId: string;
  readonly jobId: string;
  readonly tasks: readonly BatchTaskSpec[];
  readonly userArguments?: Readonly<Record<string, string>>;
}

export function batchEvent(spec: BatchEventSpec) {
  return {
    invocationSchemaVersion: spec.schema,
    invocationId: spec.invocationId,
    job: spec.schema === '2.0' ? { id: spec.jobId, userArguments: { ...(spec.userArguments ?? {}) } } : { id: spec.jobId },
    tasks: spec.tasks.map((task) => ({
      taskId: task.taskId,
      s3Key: encodeEventKey(task.key),
      s3VersionId: task.versionId ?? null,
      ...(spec.schema === '2.0' ? { s3Bucket: task.bucket } : { s3BucketArn: `arn:aws:s3:::${task.bucket}` }),
    })),
  };
}
