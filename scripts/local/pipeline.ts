/**
 * The synthesized stack, running on loopback: a real S3 server with the stack's buckets, the
 * stack's notification rules delivering events as S3 does, the functions run from their zips in a
 * Lambda-like layout, and the on-failure destination as a local queue. Used by `make local`,
 * `make invoke`, `make redrive` and the end-to-end tests.
 */

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GetBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../handlers/thumbnail/constants';
import type { FailureRecord } from '../../handlers/thumbnail/failure-record';
import { decodeEventKeyOrKeep } from '../../handlers/thumbnail/keys';
import { stackName } from '../../infra/names';
import { readJsonFile } from '../../lib/json-file';
import { PATHS } from '../../lib/paths';
import type { TerraformJson } from '../lib/terraform-json';
import { resolveReferences } from '../lib/terraform-refs';
import { type AdoptedBucketSeed, seedAdoptedBucket } from './adopted-bucket';
import { AsyncInvoker, type DeliveryResult, LOCAL_RETRY_DELAYS_MS } from './async-invoke';
import { matchesPattern } from './event-pattern';
import { type FaultOptions, type FaultProxy, startFaultProxy } from './fault-proxy';
import { FunctionRunner, type InvocationReport } from './function-runner';
import { acquireInstanceLock, type InstanceLock } from './instance-lock';
import { type LambdaApi, startLambdaApi } from './lambda-api';
import { extractLambdaLayout } from './layout';
import { eventBridgeEvent, ruleMatches, SequencerClock, s3EventRecord, whyNoRuleMatches } from './s3-events';
import { LOCAL_CREDENTIALS, type LocalS3, type S3ObjectEvent, startLocalS3 } from './s3-server';
import { makeScratchDir } from './scratch-dirs';
import { type LocalSqs, startLocalSqs } from './sqs-server';
import {
  bucketRoles,
  bucketsOfPattern,
  DEFAULT_ASYNC_INVOKE,
  type FunctionModel,
  localResolver,
  queueUrl,
  readStackModel,
  type StackModel,
} from './stack-model';

/** The account the local stack pretends to run in. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalPipelineOptions {
  /** cdktf.out/stacks/<stack>: cdk.tf.json and its assets. */
  readonly stackDir: string;
  /** Where S3 objects and queues live (git-ignored .local/). Functions are unpacked under the system temp folder. */
  readonly dataDir: string;
  /** Start from empty buckets and queues. */
  readonly reset: boolean;
  readonly s3Port?: number;
  readonly sqsPort?: number;
  /** Execution environments per function when the stack reserves no concurrency. */
  readonly concurrency: number;
  /** Share of S3 events delivered twice (S3 delivers at least once). */
  readonly duplicateRate: number;
  readonly retryDelaysMs?: readonly number[];
  readonly random?: () => number;
  /** Extra environment per function (by handler folder name), e.g. to point one at a broken endpoint. */
  readonly environmentOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Deliver S3 notifications (default true); `make invoke` turns them off to run exactly one invocation. */
  readonly notifications?: boolean;
  /** Put a fault-injecting proxy between the functions and S3. */
  readonly faults?: FaultOptions;
  /** What started it, for the instance lock that keeps a second local stack off the same data. */
  readonly command?: string;
  /** Give the stack's adopted buckets what a team's bucket already holds, before any event is delivered (make local). */
  readonly seedAdoptedBuckets?: boolean;
}

/** An upload no notification rule delivers, and why. */
export interface Undelivered {
  readonly bucket: string;
  readonly key: string;
  readonly eventName: string;
  readonly reason: string;
}

export interface Delivery {
  readonly function: string;
  readonly bucket: string;
  readonly key: string;
  readonly eventName: string;
  readonly duplicate: boolean;
  readonly result: DeliveryResult;
}

export class LocalPipeline {
  private readonly runners = new Map<string, FunctionRunner>();
  private readonly invokers = new Map<string, AsyncInvoker>();
  private readonly sequencers = new SequencerClock();
  private readonly listeners: ((delivery: Delivery) => void)[] = [];
  private readonly attemptListeners: ((fn: string, attempt: number, report: InvocationReport) => void)[] = [];
  private readonly undeliveredListeners: ((upload: Undelivered) => void)[] = [];
  private readonly logListeners: ((fn: string, line: string) => void)[] = [];
  readonly deliveries: Delivery[] = [];
  /**
   * Outside the repository, like /var/task: nothing above it for Node to resolve. Removed on close,
   * and on any exit; a killed run's is removed by the next run (scratch-dirs.ts).
   */
  private readonly functionsDir = makeScratchDir('thumbnail-pipeline-functions');
  private readonly removeFunctionsDir = () => rmSync(this.functionsDir, { recursive: true, force: true });
  private lambdaApi: LambdaApi | undefined;
  /** Events on their way through EventBridge (its switch read from the bucket first). */
  private readonly routing = new Set<Promise<void>>();
  /** Reads buckets' notification configurations (EventBridge on or off). */
  private configClient: S3Client | undefined;

  private constructor(
    readonly model: StackModel,
    readonly s3: LocalS3,
    readonly sqs: LocalSqs,
    private readonly options: LocalPipelineOptions,
    private readonly sqsClient: SQSClient,
    /** Present when faults are injected: its counters say what was injected. */
    readonly faults: FaultProxy | undefined,
    private readonly lock: InstanceLock,
  ) {
    process.on('exit', this.removeFunctionsDir);
  }

  /** The synthesized stack of an environment (cdktf.out), with its data in .local/ unless `dataDir` says otherwise. */
  static startEnvironment(
    environment: string,
    options: Omit<LocalPipelineOptions, 'stackDir' | 'dataDir'> & Partial<Pick<LocalPipelineOptions, 'dataDir'>>,
  ): Promise<LocalPipeline> {
    return LocalPipeline.start({ stackDir: join(PATHS.cdktfOut, 'stacks', stackName(environment)), dataDir: PATHS.local, ...options });
  }

  static async start(options: LocalPipelineOptions): Promise<LocalPipeline> {
    const model = readStackModel(readJsonFile(join(options.stackDir, 'cdk.tf.json'), { missingHint: 'run `make synth`' }) as TerraformJson);
    // Before anything in the data folder changes: a running local stack keeps it.
    const lock = acquireInstanceLock(options.dataDir, options.command ?? 'a local stack');
    if (options.reset)
      for (const part of ['s3', 's3-config', 'queues']) rmSync(join(options.dataDir, part), { recursive: true, force: true });
    const s3 = await startLocalS3({
      directory: join(options.dataDir, 's3'),
      configDirectory: join(options.dataDir, 's3-config'),
      region: model.region,
      buckets: model.buckets.map((bucket) => bucket.localName),
      ...(options.s3Port === undefined ? {} : { port: options.s3Port }),
    });
    const sqs = await startLocalSqs({
      directory: join(options.dataDir, 'queues'),
      queues: model.queues.map((queue) => queue.name),
      ...(options.sqsPort === undefined ? {} : { port: options.sqsPort }),
    });
    const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: model.region, credentials: LOCAL_CREDENTIALS });
    const faults = options.faults ? await startFaultProxy(s3.endpoint, options.faults) : undefined;
    lock.update({ stack: basename(options.stackDir), s3Endpoint: s3.endpoint, sqsEndpoint: sqs.endpoint });
    const pipeline = new LocalPipeline(model, s3, sqs, options, sqsClient, faults, lock);
    if (options.seedAdoptedBuckets) await pipeline.seedAdoptedBuckets();
    pipeline.startFunctions();
    if (options.notifications ?? true) s3.onObjectEvent((event) => pipeline.onObjectEvent(event));
    return pipeline;
  }

  /** The buckets the stack adopts (looked up, never managed), by local name. */
  get adoptedBuckets(): string[] {
    return this.model.buckets.filter((bucket) => bucket.adopted).map((bucket) => bucket.localName);
  }

  /** The seed of each adopted bucket: the uploads prefix its function serves, and whether the stack delivers through EventBridge. */
  adoptedBucketSeeds(): AdoptedBucketSeed[] {
    const thumbnail = this.model.functions.find((fn) => fn.source === 'thumbnail');
    const prefix = thumbnail?.environment[ENV.sourcePrefix] ?? '';
    return this.adoptedBuckets.map((bucket) => ({
      bucket,
      prefix,
      eventBridge: this.model.eventRules.some((rule) => bucketsOfPattern(rule.pattern).includes(bucket)),
      region: this.model.region,
      accountId: LOCAL_ACCOUNT_ID,
    }));
  }

  private async seedAdoptedBuckets() {
    const client = this.s3Client();
    try {
      for (const seed of this.adoptedBucketSeeds()) await seedAdoptedBucket(client, seed);
    } finally {
      client.destroy();
    }
  }

  get endpoints() {
    return { accountId: LOCAL_ACCOUNT_ID, sqsEndpoint: this.sqs.endpoint };
  }

  /** Resolve a synthesized value (with `${...}` references) to its local value. */
  resolve(value: string): string {
    return resolveReferences(value, localResolver(this.model, this.endpoints));
  }

  /** A function's environment variable as the function sees it locally (bucket names resolved). */
  functionVariable(source: string, name: string): string {
    const value = this.functionModel(source).environment[name];
    if (value === undefined) throw new Error(`function ${source} has no environment variable ${name}`);
    return this.resolve(value);
  }

  /** A new S3 client for the local server, in the stack's region; the caller destroys it. */
  s3Client(): S3Client {
    return this.s3.client(this.model.region);
  }

  /** A new SQS client for the local queues; the caller destroys it. */
  newSqsClient(): SQSClient {
    return new SQSClient({ endpoint: this.sqs.endpoint, region: this.model.region, credentials: LOCAL_CREDENTIALS });
  }

  /** A queue's URL on the local SQS server. */
  queueUrlOf(name: string): string {
    return queueUrl(this.endpoints, name);
  }

  /** The buckets uploads go to (those with notification rules), and the others. */
  get buckets(): { readonly triggering: string[]; readonly other: string[] } {
    return bucketRoles(this.model);
  }

  functionModel(source: string): FunctionModel {
    const fn = this.model.functions.find((candidate) => candidate.source === source || candidate.functionName === source);
    if (!fn) throw new Error(`no function "${source}" in the stack; there are: ${this.model.functions.map((f) => f.source).join(', ')}`);
    return fn;
  }

  runner(source: string): FunctionRunner {
    const runner = this.runners.get(this.functionModel(source).address);
    if (!runner) throw new Error(`function ${source} is not running`);
    return runner;
  }

  /** Every record in the stack's failure queues (Lambda's on-failure records and the handler's own), parsed. */
  failureRecords(): FailureRecord[] {
    return this.failureQueues.flatMap((queue) => this.sqs.messages(queue).map((message) => JSON.parse(message.body) as FailureRecord));
  }

  /** The queues the functions record failures in (their on-failure destinations), by name; not a rule's dead letters. */
  get failureQueues(): string[] {
    const destinations = [...this.model.asyncInvoke.values()].flatMap((policy) =>
      policy.onFailure ? [this.resolve(policy.onFailure).split(':').pop() ?? ''] : [],
    );
    return this.model.queues.map((queue) => queue.name).filter((name) => destinations.includes(name));
  }

  queueFile(queueName: string): string {
    return this.sqs.fileOf(queueName);
  }

  onDelivery(listener: (delivery: Delivery) => void): void {
    this.listeners.push(listener);
  }

  onAttempt(listener: (fn: string, attempt: number, report: InvocationReport) => void): void {
    this.attemptListeners.push(listener);
  }

  /** Uploads to a triggering bucket that no notification rule delivers, with the filter each missed. */
  onUndelivered(listener: (upload: Undelivered) => void): void {
    this.undeliveredListeners.push(listener);
  }

  /** Every line the functions write, as they write it. */
  onFunctionLog(listener: (fn: string, line: string) => void): void {
    this.logListeners.push(listener);
  }

  /**
   * Serve Lambda's Invoke API for these functions, so clients of @aws-sdk/client-lambda (make
   * invoke, redrive, backfill, in another terminal) can use this stack while it runs.
   */
  async serveLambdaApi(port = 0): Promise<string> {
    this.lambdaApi ??= await startLambdaApi(
      {
        resolve: (name) =>
          this.model.functions.find((fn) => fn.source === name || fn.functionName === name || name.endsWith(`:function:${fn.functionName}`))
            ?.source,
        invoke: (source, event) => this.invoke(source, event),
        memoryMB: (source) => this.functionModel(source).memoryMB,
        invokeAsync: (source, event) => {
          void this.invokeAsync(source, event).then((result) => this.recordDelivery(source, event, false, result));
        },
      },
      port,
    );
    this.lock.update({ s3Endpoint: this.s3.endpoint, sqsEndpoint: this.sqs.endpoint, lambdaEndpoint: this.lambdaApi.endpoint });
    return this.lambdaApi.endpoint;
  }

  /** One synchronous (RequestResponse) invocation, as `aws lambda invoke` does: no retries. */
  invoke(source: string, event: unknown): Promise<InvocationReport> {
    return this.runner(source).invoke(event);
  }

  /** Queue an event for asynchronous invocation, as S3 (or a redrive) does. */
  invokeAsync(source: string, event: unknown): Promise<DeliveryResult> {
    const invoker = this.invokers.get(this.functionModel(source).address);
    if (!invoker) throw new Error(`function ${source} is not running`);
    return invoker.enqueue(event);
  }

  /** Wait until every event delivered so far has been processed or recorded. */
  async idle(): Promise<void> {
    while (this.routing.size > 0) await Promise.all([...this.routing]);
    await Promise.all([...this.invokers.values()].map((invoker) => invoker.idle()));
  }

  async close(): Promise<void> {
    await this.lambdaApi?.close();
    this.configClient?.destroy();
    await Promise.all([...this.runners.values()].map((runner) => runner.close()));
    this.sqsClient.destroy();
    await this.faults?.close();
    await Promise.all([this.s3.close(), this.sqs.close()]);
    this.removeFunctionsDir();
    process.off('exit', this.removeFunctionsDir);
    this.lock.release();
  }

  private startFunctions() {
    const { model, options } = this;
    for (const fn of model.functions) {
      const layers = fn.layerAddresses.map((address) => {
        const layer = model.layers.get(address);
        if (!layer) throw new Error(`${fn.address} uses layer ${address}, which is not in the stack`);
        return join(options.stackDir, layer.zipPath);
      });
      const layout = extractLambdaLayout(join(options.stackDir, fn.zipPath), layers, join(this.functionsDir, fn.source));
      const environment = Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, this.resolve(value)]));
      const runner = new FunctionRunner({
        name: fn.functionName,
        handler: fn.handler,
        layout,
        environment: { ...environment, ...(options.environmentOverrides?.[fn.source] ?? {}) },
        platformEnvironment: {
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_S3: this.faults?.endpoint ?? this.s3.endpoint,
          AWS_ENDPOINT_URL_SQS: this.sqs.endpoint,
        },
        memoryMB: fn.memoryMB,
        timeoutSeconds: fn.timeoutSeconds,
        architecture: fn.architecture,
        region: model.region,
        accountId: LOCAL_ACCOUNT_ID,
        maxConcurrency:
          fn.reservedConcurrency === undefined ? options.concurrency : Math.max(1, Math.min(fn.reservedConcurrency, options.concurrency)),
        ...(fn.logGroup ? { logGroup: this.resolve(fn.logGroup) } : {}),
        onLog: (line) => {
          for (const listener of this.logListeners) listener(fn.source, line);
        },
      });
      this.runners.set(fn.address, runner);
      const policy = model.asyncInvoke.get(fn.address) ?? DEFAULT_ASYNC_INVOKE;
      const destinationQueue = policy.onFailure ? this.queueForArn(this.resolve(policy.onFailure)) : undefined;
      const functionArn = this.resolve(`\${${fn.address}.arn}`);
      this.invokers.set(
        fn.address,
        new AsyncInvoker({
          functionArn,
          policy: { ...policy, retryDelaysMs: options.retryDelaysMs ?? LOCAL_RETRY_DELAYS_MS },
          invoke: (event) => runner.invoke(event),
          onAttempt: (attempt, report) => {
            for (const listener of this.attemptListeners) listener(fn.source, attempt, report);
          },
          ...(destinationQueue
            ? {
                recordFailure: async (record) => {
                  await this.sqsClient.send(new SendMessageCommand({ QueueUrl: destinationQueue, MessageBody: JSON.stringify(record) }));
                },
              }
            : {}),
        }),
      );
    }
  }

  private queueForArn(arn: string): string {
    const name = arn.split(':').pop() ?? '';
    if (!this.model.queues.some((queue) => queue.name === name))
      throw new Error(`on-failure destination ${arn} is not a queue in this stack`);
    return queueUrl(this.endpoints, name);
  }

  private recordDelivery(source: string, payload: unknown, duplicate: boolean, result: DeliveryResult, event?: S3ObjectEvent) {
    const record = (payload as { Records?: { eventName?: string; s3?: { bucket?: { name?: string }; object?: { key?: string } } }[] })
      .Records?.[0];
    const encoded = record?.s3?.object?.key;
    const delivery: Delivery = {
      function: source,
      bucket: event?.bucket ?? record?.s3?.bucket?.name ?? '',
      key: event?.key ?? (encoded === undefined ? '' : decodeEventKeyOrKeep(encoded)),
      eventName: event?.eventName ?? record?.eventName ?? 'Invoke',
      duplicate,
      result,
    };
    this.deliveries.push(delivery);
    for (const listener of this.listeners) listener(delivery);
  }

  private onObjectEvent(event: S3ObjectEvent) {
    const bucket = this.model.buckets.find((candidate) => candidate.localName === event.bucket);
    if (!bucket) return;
    const sequencer = this.sequencers.next();
    const rules = this.model.rules.filter((rule) => rule.bucketAddress === bucket.address);
    const matching = rules.filter((rule) => ruleMatches(rule, event.eventName, event.key));
    if (rules.length > 0 && matching.length === 0) {
      const upload = {
        bucket: event.bucket,
        key: event.key,
        eventName: event.eventName,
        reason: whyNoRuleMatches(rules, event.eventName, event.key),
      };
      for (const listener of this.undeliveredListeners) listener(upload);
    }
    for (const rule of matching) {
      const fn = this.model.functions.find((candidate) => candidate.address === rule.functionAddress);
      if (!fn) continue;
      const record = s3EventRecord(
        { ...event, sequencer },
        {
          region: this.model.region,
          time: new Date(),
          requestId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
          configurationId: `${fn.source}-trigger`,
        },
      );
      this.deliver(fn.source, { Records: [record] }, event);
    }
    if (this.model.eventRules.length > 0) this.track(this.routeThroughEventBridge(event, sequencer));
  }

  /** Deliver an event asynchronously, as S3 and EventBridge do: at least once (a share twice). */
  private deliver(source: string, payload: unknown, event: S3ObjectEvent) {
    const random = this.options.random ?? Math.random;
    const copies = random() < this.options.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      void this.invokeAsync(source, structuredClone(payload)).then((result) =>
        this.recordDelivery(source, payload, copy > 0, result, event),
      );
    }
  }

  /** Work started for an event that `idle()` must wait for before the invokers' queues are looked at. */
  private track(work: Promise<void>) {
    this.routing.add(work);
    void work.finally(() => this.routing.delete(work));
  }

  /**
   * S3's events to EventBridge, for a bucket whose owner turned EventBridge on (its notification
   * configuration, as the local S3 keeps it): each of the stack's rules whose pattern selects the
   * event (matchesPattern) delivers it to its targets.
   */
  private async routeThroughEventBridge(event: S3ObjectEvent, sequencer: string): Promise<void> {
    const rules = this.model.eventRules.filter((rule) => bucketsOfPattern(rule.pattern).includes(event.bucket));
    if (rules.length === 0) return;
    this.configClient ??= this.s3Client();
    const configuration = await this.configClient.send(new GetBucketNotificationConfigurationCommand({ Bucket: event.bucket }));
    const undelivered = (reason: string) => {
      for (const listener of this.undeliveredListeners)
        listener({ bucket: event.bucket, key: event.key, eventName: event.eventName, reason });
    };
    if (configuration.EventBridgeConfiguration === undefined)
      return undelivered(`EventBridge is off for bucket ${event.bucket}: S3 sends its events nowhere the stack's rule can see`);
    const message = eventBridgeEvent(
      { ...event, sequencer },
      {
        region: this.model.region,
        time: new Date(),
        requestId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
        configurationId: '',
        account: LOCAL_ACCOUNT_ID,
        id: randomUUID(),
      },
    );
    if (!message) return;
    const matching = rules.filter((rule) => matchesPattern(rule.pattern, message));
    if (matching.length === 0)
      return undelivered(`no EventBridge rule's pattern selects it (${rules.map((rule) => rule.name).join(', ')})`);
    for (const rule of matching)
      for (const target of rule.targets) {
        const fn = this.model.functions.find((candidate) => candidate.address === target.functionAddress);
        if (fn) this.deliver(fn.source, message, event);
      }
  }
}
