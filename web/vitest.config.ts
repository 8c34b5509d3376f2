import { defineConfig } from 'vitest/config';

// unit tests run with the test hooks compiled in, like the e2e build
export default defineConfig({
  define: { __TEST_BUILD__: 'true' },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
