import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes and a real Redis: allow them time, and run files in
    // separate processes so a file's children die with its worker.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
