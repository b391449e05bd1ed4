import { defineConfig } from 'vitest/config';

/** Tests that run what the build makes (the zips, the layer, Node.js 24): `make test` builds first. */
const INTEGRATION = [
  'test/e2e/**/*.test.ts',
  'test/scripts/reproducible-artifacts.test.ts',
  'test/scripts/layer.test.ts',
  'test/scripts/zip-functions.test.ts',
  'test/scripts/local/function-runner.test.ts',
];

export default defineConfig({
  test: {
    // sharp is a native addon: child processes isolate it better than worker threads.
    pool: 'forks',
    // Every test file's temporary folders are removed after it (test/support/tmp.ts).
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      // `make unit`: nothing built first.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION, isolate: false } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
