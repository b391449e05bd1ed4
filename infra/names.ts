/** What the stack names things, for the stack itself and for the tools that address them. Pure. */

export const stackName = (environment: string) => `thumbnails-${environment}`;

/** Where local state lives, relative to the stack folder terraform runs in: outside cdktf.out, so `make clean` keeps it. */
export const localStatePath = (stackName: string) => `../../../terraform-state/${stackName}.tfstate`;

/** Resource names derived from the prefix, shared with the tools that address them (`make redrive`). */
export const resourceNames = (prefix: string) => ({
  thumbnailFunction: `${prefix}-thumbnail`,
  calculatorFunction: `${prefix}-calculator`,
  failureQueue: `${prefix}-thumbnail-failures`,
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
