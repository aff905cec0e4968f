import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit and integration tests (plain Node). The Playwright end-to-end suites in test/e2e run separately.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    // The audit journal's default key store (main/audit/keys.ts): under the temp folder, not the user's profile.
    env: { TAP_KIOSK_KEY_DIR: join(tmpdir(), 'tap-kiosk-test-audit-keys') },
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
