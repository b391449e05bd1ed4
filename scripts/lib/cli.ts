/** Small helpers shared by the scripts' command-line entry points. */

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

type InterruptHandler = () => Promise<number | undefined>;

const interruptHandlers = new Set<InterruptHandler>();
let stoppingSince: number | undefined;

/** Signals closer together than this are one Ctrl-C (a terminal and a parent process can both deliver it). */
const REPEAT_MS = 1_000;

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Run `handler` when the script is interrupted (Ctrl-C, SIGTERM), before it exits; it may return
 * the exit code. A second Ctrl-C exits at once. Whatever the way out, process 'exit' hooks run:
 * that is where temporary folders and locks are removed.
 */
export function onInterrupt(handler: InterruptHandler): () => void {
  interruptHandlers.add(handler);
  return () => interruptHandlers.delete(handler);
}

function installInterruptHandling() {
  for (const [signal, code] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      if (stoppingSince !== undefined) {
        if (Date.now() - stoppingSince > REPEAT_MS) process.exit(code);
        return;
      }
      stoppingSince = Date.now();
      Promise.allSettled([...interruptHandlers].map((handler) => handler())).then((results) => {
        const chosen = results.find(
          (result): result is PromiseFulfilledResult<number> => result.status === 'fulfilled' && typeof result.value === 'number',
        );
        process.exit(chosen?.value ?? code);
      });
    });
  }
}

/** Run a script's main function; print a one-line error (not a stack) and exit non-zero on failure. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  installInterruptHandling();
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      if (process.env['DEBUG']) console.error(error);
      process.exitCode = 1;
    },
  );
}
