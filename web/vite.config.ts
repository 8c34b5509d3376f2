import { defineConfig } from 'vite';
import { pwaPlugins } from './src/pwa/build';

// base '/', default assets/ with content hashes: the balancer serves dist/ under webroot/,
// index.html for / and /r/{id}, the static file for anything else.
// `vite build --mode test` is the test build (e2e suites): __TEST_BUILD__ compiles the test
// hooks in (src/testing/hooks.ts); the default build has none of them.
export default defineConfig(({ mode }) => ({
  base: '/',
  define: { __TEST_BUILD__: JSON.stringify(mode === 'test') },
  plugins: pwaPlugins(),
  build: { outDir: 'dist', target: 'es2022', sourcemap: false },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
}));
