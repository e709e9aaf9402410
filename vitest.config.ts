import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Proves after the run that no process the suite started still runs.
    globalSetup: ['test/global-setup.ts'],
    // Real processes and a real Redis: allow them time, and run files in
    // separate processes so a file's children die with its worker.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
