import { defineConfig } from 'vitest/config';

/**
 * Vitest's default 5 s per test is a speed threshold in disguise: the pure-JS crypto tests
 * (fallback.ts, 70 KB through noble's AES-GCM) took 6 s on a loaded 2-core machine and failed.
 * A unit test checks behaviour; a test that hangs still fails, after this.
 */
const TEST_TIMEOUT_MS = 60_000;

// unit tests run with the test hooks compiled in, like the e2e build
export default defineConfig({
  define: { __TEST_BUILD__: 'true' },
  test: { include: ['src/**/*.test.ts'], environment: 'node', testTimeout: TEST_TIMEOUT_MS },
});
