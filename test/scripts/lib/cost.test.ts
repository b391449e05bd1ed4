import { describe, expect, it } from 'vitest';
import {
  backfillCost,
  chooseMemory,
  costPerMillion,
  estimatedDurationMs,
  FULL_VCPU_MB,
  LAMBDA_PRICES,
  spedUp,
} from '../../../scripts/lib/cost';

const measured = { cpuMs: 60, wallMs: 70 };

describe('estimatedDurationMs', () => {
  it('stretches the CPU part below one full vCPU and keeps the waiting part', () => {
    expect(estimatedDurationMs(measured, FULL_VCPU_MB)).toBe(70);
    expect(estimatedDurationMs(measured, 3008)).toBe(70);
    expect(estimatedDurationMs(measured, 1769 / 2)).toBe(130);
  });
});

describe('costPerMillion', () => {
  it('prices GB-seconds and requests', () => {
    // 1024 MB is 0.579 of a vCPU: 60 / 0.579 + 10 = 113.6, billed as 114 ms, at 1 GB.
    expect(estimatedDurationMs(measured, 1024)).toBe(114);
    expect(costPerMillion(measured, 1024, 'x86_64')).toBeCloseTo(1e6 * 0.114 * LAMBDA_PRICES.perGbSecond.x86_64 + 0.2, 6);
    expect(costPerMillion(measured, 1024, 'arm64')).toBeLessThan(costPerMillion(measured, 1024, 'x86_64'));
  });

  it('costs about the same for CPU-bound work at any size below one vCPU', () => {
    const cpuBound = { cpuMs: 100, wallMs: 100 };
    expect(costPerMillion(cpuBound, 512, 'x86_64')).toBeCloseTo(costPerMillion(cpuBound, 1024, 'x86_64'), 1);
  });
});

describe('chooseMemory', () => {
  it('picks the smallest size that holds the peak with headroom and is within 2x of a full vCPU', () => {
    // CPU only: 60 ms at 1769+, 104 at 1024, 208 at 512. 256 cannot hold 236 MB with 30 % spare.
    expect(chooseMemory(measured, 236, [256, 512, 1024, 1769, 3008]).memoryMB).toBe(1024);
    expect(chooseMemory(measured, 236, [256, 512, 1024, 1769, 3008], 0.3, 1.5).memoryMB).toBe(1769);
    expect(chooseMemory(measured, 800, [512, 1024, 1769, 3008]).memoryMB).toBe(1769);
  });

  it('does not depend on waiting time measured on loopback', () => {
    expect(chooseMemory({ cpuMs: 60, wallMs: 400 }, 236, [512, 1024, 1769]).memoryMB).toBe(
      chooseMemory({ cpuMs: 60, wallMs: 60 }, 236, [512, 1024, 1769]).memoryMB,
    );
  });

  it('refuses when nothing holds the peak', () => {
    expect(() => chooseMemory(measured, 5000, [512, 1024])).toThrow(/no memory size holds/);
  });
});

describe('spedUp', () => {
  it('shortens only the CPU part: waiting on S3 is no faster on another processor', () => {
    expect(spedUp({ cpuMs: 119, wallMs: 150 }, 1.19)).toEqual({ cpuMs: 100, wallMs: 131 });
  });
});

describe('backfillCost', () => {
  it('adds the job fee, the per-object fee, one invocation and four S3 requests per object', () => {
    const measured = { cpuMs: 100, wallMs: 100 };
    const cost = backfillCost(1_000_000, measured, 1769, 'x86_64');
    expect(cost.batch).toBeCloseTo(0.25 + 1.0, 6);
    expect(cost.lambda).toBeCloseTo(costPerMillion(measured, 1769, 'x86_64'), 6);
    expect(cost.s3Requests).toBeCloseTo(1000 * (3 * 0.0004 + 0.005), 6);
    expect(cost.total).toBeCloseTo(cost.batch + cost.lambda + cost.s3Requests, 6);
    expect(backfillCost(0, measured, 1769, 'x86_64').total).toBeCloseTo(0.25, 6);
  });
});
