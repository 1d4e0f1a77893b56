import { defineConfig } from 'vitest/config';

// Two cores here and in CI: run test files in two forked workers, and give tfjs-heavy tests room.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
