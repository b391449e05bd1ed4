/**
 * What an invocation costs on Lambda, from a measured CPU time. Lambda gives a function CPU in
 * proportion to its memory (1,769 MB is one full vCPU); the thumbnail work is single-threaded
 * (sharp uses one libvips thread on glibc Linux), so below 1,769 MB the CPU part stretches and above
 * it nothing gets faster. Pure.
 */

import type { Architecture } from '../../lib/architectures';

/** Published Lambda prices, us-east-1, first pricing tier (USD). */
export const LAMBDA_PRICES = {
  perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 } satisfies Record<Architecture, number>,
  perMillionRequests: 0.2,
  asOf: '2025-12',
} as const;

export const FULL_VCPU_MB = 1769;

/**
 * What only AWS can tell us about Graviton: its speed relative to x86_64 for Lambda functions. This
 * machine runs arm64 code only under emulation, which says nothing about speed. "Up to": a best case.
 */
export const PUBLISHED_ARM64 = {
  speedup: 1.19,
  claim: 'up to 19 % better performance than x86_64',
  source:
    'AWS News Blog, 2021-09-29, "AWS Lambda Functions Powered by AWS Graviton2 Processor - Run Your Functions on Arm and Get Up to 34% Better Price Performance"',
} as const;

/** A measured invocation, sped up by a factor (the CPU part only: waiting on S3 is not faster on another CPU). */
export const spedUp = (measured: Measured, factor: number): Measured => ({
  cpuMs: measured.cpuMs / factor,
  wallMs: measured.wallMs - measured.cpuMs + measured.cpuMs / factor,
});

export interface Measured {
  /** CPU time (user + system) per invocation, on a full core. */
  readonly cpuMs: number;
  /** Wall time per invocation on a full core; the rest of it (wall - cpu) is waiting on I/O. */
  readonly wallMs: number;
}

/** Billed duration at `memoryMB`: the CPU part stretched by the vCPU share, the waiting part unchanged, rounded up to 1 ms. */
export function estimatedDurationMs(measured: Measured, memoryMB: number): number {
  const share = Math.min(1, memoryMB / FULL_VCPU_MB);
  const waiting = Math.max(0, measured.wallMs - measured.cpuMs);
  return Math.ceil(measured.cpuMs / share + waiting);
}

/** USD per million invocations at `memoryMB` on `architecture`, requests included. */
export function costPerMillion(measured: Measured, memoryMB: number, architecture: Architecture): number {
  const gbSeconds = (estimatedDurationMs(measured, memoryMB) / 1000) * (memoryMB / 1024);
  return 1e6 * gbSeconds * LAMBDA_PRICES.perGbSecond[architecture] + LAMBDA_PRICES.perMillionRequests;
}

export interface MemoryChoice {
  readonly memoryMB: number;
  readonly reason: string;
}

/**
 * The default memory. The thumbnail work is CPU-bound and single-threaded, so up to one full vCPU
 * every size costs about the same per image (a smaller size just takes longer), and time spent
 * waiting on S3 costs less at a smaller size. So: the smallest size that holds the largest accepted
 * input with `headroom` spare and keeps the CPU part within `maxSlowdown` of a full vCPU. Loopback
 * waiting times are not used: they say nothing about real S3.
 */
export function chooseMemory(measured: Measured, peakMB: number, sizes: readonly number[], headroom = 0.3, maxSlowdown = 2): MemoryChoice {
  const cpuOnly = { cpuMs: measured.cpuMs, wallMs: measured.cpuMs };
  const fastest = Math.min(...sizes.map((size) => estimatedDurationMs(cpuOnly, size)));
  const best = [...sizes]
    .sort((a, b) => a - b)
    .find((size) => peakMB <= size * (1 - headroom) && estimatedDurationMs(cpuOnly, size) <= fastest * maxSlowdown);
  if (best === undefined) throw new Error(`no memory size holds a ${peakMB} MB peak with ${headroom * 100} % headroom`);
  return {
    memoryMB: best,
    reason: `smallest size holding the ${peakMB} MB peak with ${headroom * 100} % spare and within ${maxSlowdown}x of a full vCPU's time; below one vCPU the CPU-bound cost per image is flat`,
  };
}

/** Published S3 Batch Operations prices, us-east-1 (USD): per job, and per object processed. */
export const BATCH_PRICES = { perJob: 0.25, perMillionObjects: 1.0, asOf: '2025-12' } as const;

/** Published S3 Standard request prices, us-east-1 (USD per 1,000 requests): PUT-class and GET-class (HEAD is GET-class). */
export const S3_REQUEST_PRICES = { perThousandPut: 0.005, perThousandGet: 0.0004, asOf: '2025-12' } as const;

/**
 * The packaged function on a 12 MP photo, as `make bench` measured it (packaged section, 2026-12-02,
 * this project's 2-core CI-class machine): what `make backfill` estimates with when no fresher
 * `.bench/results.json` is at hand.
 */
export const REFERENCE_12MP: Measured & { readonly measuredOn: string } = { cpuMs: 78.0, wallMs: 99.6, measuredOn: '2026-12-02' };

export interface BackfillCost {
  readonly objects: number;
  readonly batch: number;
  readonly lambda: number;
  readonly s3Requests: number;
  readonly total: number;
}

/**
 * What a backfill of `objects` images costs on AWS: one Batch job and its per-object fee; one
 * invocation per object at `memoryMB` for a 12 MP-like image; per object, S3 requests as the
 * handler makes them for a missing thumbnail: HEAD thumbnail, HEAD original, GET original (GET-class)
 * and PUT thumbnail. Manifest and report storage are negligible and left out.
 */
export function backfillCost(objects: number, measured: Measured, memoryMB: number, architecture: Architecture): BackfillCost {
  const batch = BATCH_PRICES.perJob + (objects / 1e6) * BATCH_PRICES.perMillionObjects;
  const lambda = (objects / 1e6) * costPerMillion(measured, memoryMB, architecture);
  const s3Requests = (objects / 1000) * (3 * S3_REQUEST_PRICES.perThousandGet + S3_REQUEST_PRICES.perThousandPut);
  return { objects, batch, lambda, s3Requests, total: batch + lambda + s3Requests };
}
