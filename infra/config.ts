/**
 * The stack's configuration: one typed, readonly object with defaults and validation.
 * Pure: environments.ts decides which values apply; main.ts reads files and the environment.
 */

import { z } from 'zod';
import {
  DEFAULTS,
  FITS,
  FORMATS,
  HEIC_SUFFIXES,
  INPUT_FORMAT_NAMES,
  INPUT_FORMATS,
  type InputFormat,
  inputFormatOfSuffix,
  LIMITS,
  OUTPUT_FORMATS,
  type OutputFormat,
  RENDITION_NAME,
  renderTimeNeededMs,
  worstUnstoppableEncodeMs,
} from '../handlers/thumbnail/constants';
import { ARCHITECTURES } from '../lib/architectures';
import { MAX_EVENT_PATTERN_LENGTH, uploadEventPattern } from './event-pattern';

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The Lambda runtime the handlers are bundled for (scripts/build.ts targets the same Node.js major). */
export const LAMBDA_RUNTIME = 'nodejs24.x';

/** A 12-digit AWS account id; also checks the `make policies` ACCOUNT_ID. */
export const awsAccountId = z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit AWS account id');

const principalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(root|role\/.+|user\/.+|assumed-role\/.+)$/,
    'must be an IAM role, user or account root ARN',
  );

const suffix = z.string().regex(/^\.[A-Za-z0-9]{1,10}$/, 'must be a file extension such as ".jpg"');

/** S3's bucket naming rules (general purpose buckets). */
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes')
  .refine((name) => !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name), 'must be an S3 bucket name (no "..", not an IP address)');

/** Where adopted uploads come from: S3 sends them to EventBridge (the bucket's one switch), or notifies the function directly. */
export const DELIVERIES = ['eventbridge', 'notification'] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** A KMS key by its ARN (IAM policies name keys, not aliases); multi-Region keys included. */
const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]):([0-9]{12}):key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The region a KMS key ARN names. */
export const kmsKeyRegion = (arn: string): string | undefined => KMS_KEY_ARN.exec(arn)?.[1];

/**
 * The originals bucket: by default the stack's own; with `existingBucket`, a bucket the team
 * already has, which the stack never manages (see README, "Use your existing bucket").
 */
const originals = z
  .object({
    /** Adopt this bucket instead of creating one: no aws_s3_bucket* resource of the stack ever names it. */
    existingBucket: bucketName.optional(),
    /** How its uploads reach the function: `eventbridge` (the default, writes nothing on the bucket) or `notification` (opt-in). */
    delivery: z.enum(DELIVERIES).optional(),
    /** Only keys under it are thumbnailed: in the trigger's filter, and checked again by the function. */
    prefix: z
      .string()
      .min(1)
      .max(1024)
      .refine((value) => !value.startsWith('/'), 'S3 keys do not start with "/": write "uploads/", not "/uploads/"')
      .optional(),
    /** The adopted bucket's SSE-KMS key: the function may decrypt with it only through S3, for this bucket. */
    kmsKeyArn: z
      .string()
      .regex(KMS_KEY_ARN, 'must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (an alias cannot be used in an IAM policy)')
      .optional(),
  })
  .strict();

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One rendition, bounded as the handler checks it (handlers/thumbnail/config.ts reads the same contract). */
const rendition = z
  .object({
    name: z.string().regex(RENDITION_NAME, 'lowercase letters and digits, starting with a letter (it ends the output key)'),
    width: z.number().int().min(1).max(LIMITS.maxWidth),
    height: z.number().int().min(1).max(LIMITS.maxHeight).optional(),
    fit: z.enum(FITS).optional(),
    format: z.enum(OUTPUT_FORMATS as [OutputFormat, ...OutputFormat[]]),
    quality: z.number().int().min(LIMITS.minQuality).max(LIMITS.maxQuality),
  })
  .strict()
  // Checked even when another field of the rendition is wrong, so every error is said at once.
  .refine((value) => value.fit === undefined || value.height !== undefined, {
    message: 'fit needs a height',
    when: (payload) => isRecord(payload.value),
  })
  .refine((value) => value.height === undefined || value.width * value.height <= FORMATS[value.format].maxPixels, {
    message: 'the box holds more pixels than the format allows (AVIF: 2,000,000; its encoder cannot be stopped at the deadline)',
    when: (payload) =>
      isRecord(payload.value) &&
      typeof payload.value['width'] === 'number' &&
      typeof payload.value['height'] === 'number' &&
      (OUTPUT_FORMATS as readonly unknown[]).includes(payload.value['format']),
  });

const renditions = z
  .array(rendition)
  .min(1)
  .max(LIMITS.maxRenditions)
  .refine((values) => new Set(values.map((value) => value.name)).size === values.length, 'rendition names must be distinct');

/** A setting an earlier version had: present, it is refused with what replaced it. */
const replaced = (message: string) => z.never({ error: `replaced by ${message}` }).optional();

const functionSettings = {
  /** Lambda allocates CPU in proportion to memory: 1,769 MB is one full vCPU. */
  memoryMB: z.number().int().min(LIMITS.minFunctionMemoryMB).max(LIMITS.maxFunctionMemoryMB),
  timeoutSeconds: z.number().int().min(1).max(900),
};

export const stackConfigSchema = z
  .object({
    /** Names the stack (`thumbnails-<environment>`) and tags every resource. */
    environment: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'lowercase letters, digits and dashes, up to 16 characters'),
    /** Lambda's architecture for every function of the stack; the sharp layer is built for it (`make layer`). */
    architecture: z.enum(ARCHITECTURES),
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$/, 'must be an AWS region such as "eu-west-1"'),
    /** Start of every resource name; buckets get a unique suffix from Terraform. */
    namePrefix: z.string().regex(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, 'lowercase letters, digits and dashes, 3 to 24 characters'),
    thumbnail: z
      .object({
        /** What every upload becomes: the first is the primary rendition; the default is the 100 px JPEG thumbnail. */
        renditions,
        maxInputPixels: z.number().int().min(1).max(LIMITS.maxInputPixels),
        maxInputBytes: z.number().int().min(1),
        /** Estimated decode time (reference machine) above which a JPEG is refused before decoding. */
        maxDecodeMs: z.number().int().min(1).max(LIMITS.maxDecodeMs),
        /** Idle time on an S3 connection before the SDK abandons the request and retries it. */
        s3RequestTimeoutMs: z.number().int().min(LIMITS.minS3RequestTimeoutMs).max(LIMITS.maxS3RequestTimeoutMs),
        widths: replaced(
          'thumbnail.renditions (README, "Renditions"): [{ "name": "thumbnail", "width": 100, "format": "jpeg", "quality": 80 }, ...]',
        ),
        jpegQuality: replaced('each rendition\'s "quality"'),
        ...functionSettings,
        /** Reserved concurrency; undefined leaves the function on the account's shared pool. */
        reservedConcurrency: z.number().int().min(0).optional(),
        /** Uploads whose key ends with one of these trigger the function (S3 suffix filters are case-sensitive). */
        triggerSuffixes: z
          .array(suffix)
          .min(1)
          .refine((values) => new Set(values).size === values.length, 'suffixes must be distinct'),
        /** Delete an original's thumbnails when the original is deleted (an ObjectRemoved rule). */
        deleteWithOriginals: z.boolean(),
        /** The formats uploads may be, decided from their bytes: jpeg (the default), png, webp, gif, avif. */
        inputFormats: z
          .array(z.enum(INPUT_FORMAT_NAMES as [InputFormat, ...InputFormat[]]))
          .min(1)
          .refine((values) => new Set(values).size === values.length, 'formats must be distinct'),
        /** What transparent pixels become in JPEG outputs (WebP and AVIF outputs keep them). */
        jpegBackground: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as "#rrggbb"'),
      })
      .strict()
      .superRefine((thumbnail, ctx) => {
        // Each suffix the trigger takes must name a format the function takes.
        thumbnail.triggerSuffixes.forEach((suffix, index) => {
          const format = inputFormatOfSuffix(suffix);
          const path = ['triggerSuffixes', index];
          if ((HEIC_SUFFIXES as readonly string[]).includes(suffix.toLowerCase()))
            ctx.addIssue({
              code: 'custom',
              path,
              message: `"${suffix}" is HEIC, which cannot be decoded here (sharp's libvips has no HEVC decoder): uploads of it are refused by name, so do not trigger on it`,
            });
          else if (format === undefined)
            ctx.addIssue({
              code: 'custom',
              path,
              message: `"${suffix}" is not the extension of an input format (${INPUT_FORMAT_NAMES.map((name) => `${name}: ${INPUT_FORMATS[name].suffixes.join(' ')}`).join('; ')})`,
            });
          else if (!thumbnail.inputFormats.includes(format))
            ctx.addIssue({
              code: 'custom',
              path,
              message: `"${suffix}" is ${INPUT_FORMATS[format].label}, which thumbnail.inputFormats does not enable: add "${format}" to it`,
            });
        });
        // What the handler needs left before it renders its largest accepted upload (renderDeadline).
        const neededMs = LIMITS.uploadReserveMs + renderTimeNeededMs(thumbnail.maxDecodeMs, worstUnstoppableEncodeMs(thumbnail.renditions));
        if (neededMs > thumbnail.timeoutSeconds * 1000)
          ctx.addIssue({
            code: 'custom',
            path: ['timeoutSeconds'],
            message: `${thumbnail.timeoutSeconds} s is too short for these renditions: the largest accepted upload needs up to ${Math.ceil(neededMs / 1000)} s (uploads, twice maxDecodeMs, and its AVIF encodes; raise it, lower maxDecodeMs, or drop or shrink an AVIF rendition)`,
          });
      }),
    calculator: z.object(functionSettings),
    logRetentionDays: z.union(LOG_RETENTION_DAYS.map((days) => z.literal(days))),
    logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']),
    asyncInvoke: z.object({
      maximumRetryAttempts: z.number().int().min(0).max(2),
      maximumEventAgeSeconds: z.number().int().min(60).max(21_600),
    }),
    /** The originals bucket: the stack's own (the default), or an existing one it adopts. */
    originals: originals.optional(),
    /** Versioned originals: the function may then also read object versions. */
    originalsVersioning: z.boolean(),
    /** Let `terraform destroy` delete non-empty buckets (for throwaway environments only). */
    forceDestroyBuckets: z.boolean(),
    /** Principals allowed to assume the invoker role (operators, backfill tooling); none means no role. */
    invokerPrincipals: z.array(principalArn),
    /** Backfills on S3 Batch Operations (`make backfill`): a job bucket and the role Batch assumes. */
    backfill: z.object({
      enabled: z.boolean(),
      /** Days manifests and completion reports are kept in the job bucket. */
      retentionDays: z.number().int().min(1).max(3650),
      /** A weekly S3 Inventory of the originals, delivered into the job bucket: the manifest for large backfills. */
      inventory: z.boolean(),
    }),
    alarms: z.object({
      enabled: z.boolean(),
      /** Function errors in one 5-minute period that raise the alarm. */
      errorThreshold: z.number().int().min(1),
      /** Where alarm notifications go: an SNS topic ARN, or none. */
      notificationTopicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$/)
        .optional(),
    }),
    /** Where Terraform keeps state; absent means local state beside the checkout. */
    backend: z
      .object({
        bucket: z.string().min(3),
        key: z.string().min(1),
        region: z.string().optional(),
        /** S3-native state locking (Terraform >= 1.10). */
        useLockfile: z.boolean(),
      })
      .optional(),
    /** A LocalStack (or similar) endpoint; set only for the localstack environment. */
    endpoint: z.string().url().optional(),
    /** Known account for policy documents emitted at synth time (deployer policies); optional. */
    accountId: awsAccountId.optional(),
    tags: z.record(z.string(), z.string()),
  })
  .strict()
  .superRefine((config, ctx) => {
    const adopted = config.originals ?? {};
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (adopted.existingBucket === undefined) {
      if (adopted.delivery !== undefined)
        issue(
          ['originals', 'delivery'],
          "applies only to an adopted bucket (originals.existingBucket); the stack's own bucket notifies the function",
        );
      if (adopted.kmsKeyArn !== undefined)
        issue(
          ['originals', 'kmsKeyArn'],
          "applies only to an adopted bucket (originals.existingBucket); the stack's own bucket uses S3-managed keys",
        );
      return;
    }
    if (config.originalsVersioning)
      issue(
        ['originalsVersioning'],
        "turns on versioning of a bucket the stack creates; an adopted bucket's versioning is its owner's (remove it: the function reads the current version either way)",
      );
    const pattern = JSON.stringify(
      uploadEventPattern({
        bucketName: adopted.existingBucket,
        prefix: adopted.prefix,
        suffixes: config.thumbnail.triggerSuffixes,
        onDelete: config.thumbnail.deleteWithOriginals,
      }),
    );
    if ((adopted.delivery ?? 'eventbridge') === 'eventbridge' && pattern.length > MAX_EVENT_PATTERN_LENGTH)
      issue(
        ['thumbnail', 'triggerSuffixes'],
        `with the prefix, each suffix is matched in every spelling of its case, and ${config.thumbnail.triggerSuffixes.length} suffixes make a ${pattern.length}-character EventBridge pattern, over its ${MAX_EVENT_PATTERN_LENGTH}: drop a suffix or the prefix`,
      );
    const keyRegion = adopted.kmsKeyArn === undefined ? undefined : kmsKeyRegion(adopted.kmsKeyArn);
    if (keyRegion !== undefined && keyRegion !== config.region)
      issue(
        ['originals', 'kmsKeyArn'],
        `the key is in ${keyRegion}, but the stack (and so the bucket S3 encrypts with it) is in ${config.region}: S3 uses keys of its own region only`,
      );
  });

export type StackConfig = Readonly<z.infer<typeof stackConfigSchema>>;

/** An adopted originals bucket, with its delivery decided (EventBridge unless notifications are asked for). */
export interface AdoptedBucketSettings {
  readonly name: string;
  readonly delivery: Delivery;
  readonly prefix?: string;
  readonly kmsKeyArn?: string;
}

/** Which keys the trigger delivers: the backfill lists the same ones. */
export interface TriggerFilter {
  readonly suffixes: readonly string[];
  /** EventBridge rules match the suffixes in any case (`DSC_0001.JPG`); S3's notification filters do not. */
  readonly ignoreCase: boolean;
  readonly prefix?: string;
}

export function triggerFilterOf(config: Pick<StackConfig, 'originals' | 'thumbnail'>): TriggerFilter {
  const adopted = adoptedBucketOf(config);
  return {
    suffixes: config.thumbnail.triggerSuffixes,
    ignoreCase: adopted?.delivery === 'eventbridge',
    ...(adopted?.prefix === undefined ? {} : { prefix: adopted.prefix }),
  };
}

/** The adopted bucket of a configuration, or undefined when the stack creates its own. */
export function adoptedBucketOf(config: Pick<StackConfig, 'originals'>): AdoptedBucketSettings | undefined {
  const originals = config.originals;
  if (originals?.existingBucket === undefined) return undefined;
  return {
    name: originals.existingBucket,
    delivery: originals.delivery ?? 'eventbridge',
    ...(originals.prefix === undefined ? {} : { prefix: originals.prefix }),
    ...(originals.kmsKeyArn === undefined ? {} : { kmsKeyArn: originals.kmsKeyArn }),
  };
}

/** Values every environment starts from. */
export const DEFAULT_CONFIG = {
  environment: 'dev',
  // x86_64 until arm64 is measured on AWS: emulation here proves it works, not how fast (README, "Graviton").
  architecture: 'x86_64',
  region: 'ap-northeast-1',
  namePrefix: 'thumbnails-dev',
  thumbnail: {
    renditions: DEFAULTS.renditions.map((entry) => ({ ...entry })),
    maxInputPixels: DEFAULTS.maxInputPixels,
    maxInputBytes: DEFAULTS.maxInputBytes,
    maxDecodeMs: DEFAULTS.maxDecodeMs,
    s3RequestTimeoutMs: DEFAULTS.s3RequestTimeoutMs,
    memoryMB: 1024,
    timeoutSeconds: 30,
    triggerSuffixes: ['.jpg'],
    deleteWithOriginals: true,
    inputFormats: [...DEFAULTS.inputFormats],
    jpegBackground: DEFAULTS.jpegBackground,
  },
  calculator: { memoryMB: 128, timeoutSeconds: 3 },
  logRetentionDays: 30,
  logLevel: 'INFO',
  asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 },
  originalsVersioning: false,
  forceDestroyBuckets: false,
  invokerPrincipals: [],
  backfill: { enabled: true, retentionDays: 30, inventory: false },
  alarms: { enabled: true, errorThreshold: 1 },
  tags: {},
} as const satisfies z.input<typeof stackConfigSchema>;

export class ConfigValidationError extends Error {
  constructor(source: string, issues: readonly { path: PropertyKey[]; message: string }[]) {
    super(`${source}:\n${issues.map((issue) => `  - ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validate a complete configuration; every problem is listed with its path. */
export function parseStackConfig(input: unknown, source = 'stack configuration'): StackConfig {
  const result = stackConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigValidationError(source, result.error.issues);
  return result.data;
}
