/**
 * This process's own peak resident memory in MB: Linux's VmHWM. Not getrusage's maxrss, which keeps
 * the high-water mark of the process this one was forked from across exec (a bench process holding
 * hundreds of MB of images would be counted in every child). scripts/local/runtime/bootstrap.mjs
 * does the same in plain JavaScript for the local Lambda runtime.
 */

import { readFileSync } from 'node:fs';

export function peakRssMB(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: maxrss, which on macOS is this process's own.
  }
  return process.resourceUsage().maxRSS / 1024;
}
