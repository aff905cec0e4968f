import { defineConfig } from 'vitest/config';

// Unit and integration tests (plain Node). The Playwright end-to-end suites in test/e2e run separately.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
