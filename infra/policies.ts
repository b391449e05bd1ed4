/**
 * Pure builders of the stack's IAM policy documents. Arguments are ARNs (Terraform references at
 * synth time, real ARNs in the policy tests); nothing here creates a resource.
 */

import { type Rendition, renditionKeyPatterns } from '../handlers/thumbnail/constants';

type OneOrMany = string | readonly string[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | { readonly AWS?: OneOrMany; readonly Service?: OneOrMany; readonly Federated?: OneOrMany };
  readonly Action: OneOrMany;
  readonly Resource?: OneOrMany;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany | boolean>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A policy document of the given statements; `false` and `undefined` leave a statement out. */
export const policy = (...statements: (PolicyStatement | false | undefined)[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements.filter((statement): statement is PolicyStatement => Boolean(statement)),
});

/** Object keys the thumbnail function writes for the configured renditions (the handler's naming: keys.ts), under the thumbnails bucket. */
export const thumbnailObjectArns = (thumbnailsBucketArn: string, renditions: readonly Pick<Rendition, 'name' | 'format'>[]): string[] =>
  renditionKeyPatterns(renditions).map((pattern) => `${thumbnailsBucketArn}/${pattern}`);

/** Only the Lambda service, acting for this account, may assume a function's execution role. */
export function lambdaTrustPolicy(accountId: string): PolicyDocument {
  return policy({
    Sid: 'LambdaServiceInThisAccount',
    Effect: 'Allow',
    Principal: { Service: 'lambda.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  });
}

/** Writing to the function's own log group; the group is created by the stack, never by the function. */
export const writeLogsStatement = (logGroupArn: string): PolicyStatement => ({
  Sid: 'WriteOwnLogs',
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: `${logGroupArn}:*`,
});

/** An adopted bucket's SSE-KMS key, and the region its S3 endpoint (the only caller allowed to use it) is in. */
export interface OriginalsKey {
  readonly keyArn: string;
  readonly region: string;
}

export interface ThumbnailExecutionPolicyProps {
  readonly originalsBucketArn: string;
  /** Only objects under it may be read (an adopted bucket's uploads folder). */
  readonly originalsPrefix?: string;
  /** The adopted bucket's KMS key: decrypting with it is allowed through S3, for that bucket, and nothing else. */
  readonly originalsKey?: OriginalsKey;
  readonly thumbnailsBucketArn: string;
  readonly logGroupArn: string;
  /** The on-failure destination, written by Lambda and by the handler for permanent failures. */
  readonly failureQueueArn?: string;
  readonly originalsVersioning: boolean;
  readonly deleteWithOriginals: boolean;
  /** Only the configured renditions' keys may be read, written and deleted. */
  readonly renditions: readonly Pick<Rendition, 'name' | 'format'>[];
}

/**
 * What the thumbnail function may do, and nothing else: read and list originals (listing makes S3
 * answer a missing original with 404, not 403, so "deleted since" and "access denied" are told
 * apart); read (for provenance metadata), write and optionally delete objects named like
 * thumbnails; write its own logs; record failures. No wildcard action, no wildcard resource.
 */
export function thumbnailExecutionPolicy(props: ThumbnailExecutionPolicyProps): PolicyDocument {
  const thumbnails = thumbnailObjectArns(props.thumbnailsBucketArn, props.renditions);
  const prefix = props.originalsPrefix ?? '';
  return policy(
    {
      Sid: 'ReadOriginals',
      Effect: 'Allow',
      Action: props.originalsVersioning ? ['s3:GetObject', 's3:GetObjectVersion'] : 's3:GetObject',
      Resource: `${props.originalsBucketArn}/${prefix}*`,
    },
    {
      Sid: 'ListOriginals',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: props.originalsBucketArn,
      ...(prefix === '' ? {} : { Condition: { StringLike: { 's3:prefix': `${prefix}*` } } }),
    },
    props.originalsKey && decryptThroughS3Statement(props.originalsKey),
    {
      // HeadObject on an existing thumbnail, for the source ETag and sequencer kept in its metadata.
      Sid: 'ReadThumbnailProvenance',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: thumbnails,
    },
    { Sid: 'WriteThumbnails', Effect: 'Allow', Action: 's3:PutObject', Resource: thumbnails },
    props.deleteWithOriginals && {
      Sid: 'DeleteThumbnailsOfDeletedOriginals',
      Effect: 'Allow',
      Action: 's3:DeleteObject',
      Resource: thumbnails,
    },
    writeLogsStatement(props.logGroupArn),
    props.failureQueueArn !== undefined && {
      Sid: 'RecordFailures',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: props.failureQueueArn,
    },
  );
}

/**
 * Decrypting an adopted bucket's objects: with its key, and only when S3 asks for it
 * (kms:ViaService), so only for objects the role may read from S3 anyway (ReadOriginals: that
 * bucket, under the prefix). Nothing else on the key: no encrypt, no data keys, no grants, no admin.
 */
export function decryptThroughS3Statement(key: OriginalsKey): PolicyStatement {
  return {
    Sid: 'DecryptOriginalsThroughS3',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: key.keyArn,
    Condition: { StringEquals: { 'kms:ViaService': `s3.${key.region}.amazonaws.com` } },
  };
}

/** A function that only writes its logs (the calculator). */
export const logsOnlyPolicy = (logGroupArn: string): PolicyDocument => policy(writeLogsStatement(logGroupArn));

const bucketAndObjects = (bucketArn: string) => [bucketArn, `${bucketArn}/*`];

/** Every request to the resource, through any action of `service`, must use TLS. */
export const denyInsecureTransportStatement = (service: 's3' | 'sqs', resource: OneOrMany): PolicyStatement => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: `${service}:*`,
  Resource: resource,
  Condition: { Bool: { 'aws:SecureTransport': false } },
});

export const originalsBucketPolicy = (bucketArn: string): PolicyDocument =>
  policy(denyInsecureTransportStatement('s3', bucketAndObjects(bucketArn)));

/** TLS only, and nobody but the thumbnail function's role writes or deletes thumbnails. */
export function thumbnailsBucketPolicy(bucketArn: string, writerRoleArn: string): PolicyDocument {
  return policy(denyInsecureTransportStatement('s3', bucketAndObjects(bucketArn)), {
    Sid: 'OnlyTheThumbnailFunctionWrites',
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
    Resource: `${bucketArn}/*`,
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': writerRoleArn } },
  });
}

/** Who may assume the invoker role: exactly the principals named in config. */
export function invokerTrustPolicy(principals: readonly string[]): PolicyDocument {
  return policy({ Sid: 'NamedOperators', Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' });
}

/** The invoker role's only right: invoke this one function (e.g. to replay recorded failures). */
export function invokerPolicy(functionArn: string): PolicyDocument {
  return policy({
    Sid: 'InvokeThumbnailFunction',
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: [functionArn, `${functionArn}:*`],
  });
}

/** A service that may send to a queue, for one source only (an EventBridge rule's dead letters). */
export interface QueueSender {
  readonly service: string;
  readonly sourceArn: string;
}

/** The failure queue accepts only TLS requests; with a sender, that service may send to it for that source only. */
export const failureQueuePolicy = (queueArn: string, sender?: QueueSender): PolicyDocument =>
  policy(
    denyInsecureTransportStatement('sqs', queueArn),
    sender && {
      Sid: 'DeadLettersFromTheRule',
      Effect: 'Allow',
      Principal: { Service: sender.service },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': sender.sourceArn } },
    },
  );

/** Only S3 Batch Operations, acting for this account, may assume the backfill role. */
export function batchOperationsTrustPolicy(accountId: string): PolicyDocument {
  return policy({
    Sid: 'S3BatchOperationsInThisAccount',
    Effect: 'Allow',
    Principal: { Service: 'batchoperations.s3.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  });
}

export interface BackfillJobPolicyProps {
  readonly functionArn: string;
  readonly jobBucketArn: string;
  /** Key prefixes in the job bucket, e.g. `backfill/manifests/`. */
  readonly manifestsPrefix: string;
  readonly reportsPrefix: string;
}

/**
 * What a backfill job (S3 Batch Operations, LambdaInvoke) may do, and nothing else: invoke the
 * thumbnail function, read its manifest, write its completion report. The function reads the
 * originals and writes the thumbnails with its own role; this one never touches them.
 */
export function backfillJobPolicy(props: BackfillJobPolicyProps): PolicyDocument {
  return policy(
    {
      Sid: 'InvokeThumbnailFunction',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [props.functionArn, `${props.functionArn}:*`],
    },
    {
      Sid: 'ReadManifests',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: `${props.jobBucketArn}/${props.manifestsPrefix}*`,
    },
    { Sid: 'WriteReports', Effect: 'Allow', Action: 's3:PutObject', Resource: `${props.jobBucketArn}/${props.reportsPrefix}*` },
    // Batch checks the report bucket's region before the job starts.
    { Sid: 'LocateJobBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: props.jobBucketArn },
  );
}

export interface InventoryDelivery {
  /** The bucket whose inventory S3 delivers (the originals). */
  readonly sourceBucketArn: string;
  readonly accountId: string;
  /** Key prefix the reports are delivered under, e.g. `backfill/manifests/inventory`. */
  readonly prefix: string;
}

/**
 * The job bucket accepts only TLS requests; with an inventory, S3 may deliver the originals'
 * inventory reports under their prefix, for that bucket of this account only.
 */
export function jobBucketPolicy(bucketArn: string, inventory?: InventoryDelivery): PolicyDocument {
  return policy(
    denyInsecureTransportStatement('s3', bucketAndObjects(bucketArn)),
    inventory && {
      Sid: 'S3InventoryOfTheOriginals',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/${inventory.prefix}/*`,
      Condition: { ArnLike: { 'aws:SourceArn': inventory.sourceBucketArn }, StringEquals: { 'aws:SourceAccount': inventory.accountId } },
    },
  );
}
