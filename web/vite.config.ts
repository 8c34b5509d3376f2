import { defineConfig } from 'vite';
import { pwaPlugins } from './src/pwa/build';

// base '/', default assets/ with content hashes: the balancer serves dist/ under webroot/,
// index.html for / and /r/{id}, the static file for anything else.
export default defineConfig({
  base: '/',
  plugins: pwaPlugins(),
  build: { outDir: 'dist', target: 'es2022', sourcemap: false },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
