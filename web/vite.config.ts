import { defineConfig } from 'vite';

// base '/', default assets/ with content hashes: the balancer serves dist/ under webroot/,
// index.html for / and /r/{id}, the static file for anything else.
export default defineConfig({
  base: '/',
  build: { outDir: 'dist', target: 'es2022', sourcemap: false },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
