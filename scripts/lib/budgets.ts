/** Size limits the build enforces: Lambda's hard limits, and our own tighter budgets. */

const MB = 1024 * 1024;

export const LAMBDA_LIMITS = {
  /** Direct upload of a function or layer zip. */
  zippedBytes: 50 * MB,
  /** Function and all its layers, unzipped. */
  unzippedBytes: 250 * MB,
} as const;

export const BUDGETS = {
  /** A bundled handler: small zips deploy and cold-start faster. */
  functionZipBytes: 300 * 1024,
  /** The sharp layer: libvips is most of it. */
  layerZipBytes: 9 * MB,
} as const;

export const formatBytes = (bytes: number): string =>
  bytes >= MB ? `${(bytes / MB).toFixed(2)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`;

export interface SizeCheck {
  readonly label: string;
  readonly bytes: number;
  readonly limit: number;
  readonly what: string;
}

/** The checks that fail, each as a message; empty when everything fits. */
export function overBudget(checks: readonly SizeCheck[]): string[] {
  return checks
    .filter((check) => check.bytes > check.limit)
    .map((check) => `${check.label} is ${formatBytes(check.bytes)}, over ${check.what} of ${formatBytes(check.limit)}`);
}
