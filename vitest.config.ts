import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // sharp is a native addon: child processes isolate it better than worker threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
