import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { LAYERS, forbiddenFor } from './scripts/layers.mjs';

// One zone per folder of src/: it may not import its level's siblings or any folder above it
// (the layer list is scripts/layers.mjs, documented in docs/ARCHITECTURE.md "Browser client").
const layerZones = (except = []) =>
  LAYERS.flat()
    .map((folder) => ({
      target: `./src/${folder}`,
      from: forbiddenFor(folder)
        .filter((f) => !except.includes(f))
        .map((f) => `./src/${f}`),
      message: `src/${folder} is below these folders (scripts/layers.mjs): import only downward`,
    }))
    .filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist/', 'e2e-dist/', 'e2e/.out/', 'node_modules/', 'target/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // node scripts of the build (layer and cycle checks)
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // node script that drives a browser page
    files: ['bench/**/*.mjs'],
    languageOptions: {
      globals: { RTCPeerConnection: 'readonly', performance: 'readonly', console: 'readonly' },
    },
  },
  {
    // Layers: every folder of src/ imports only downward (scripts/check-cycles.mjs proves the
    // folder graph acyclic). Unit tests may also use the test kit in src/testing/.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones() }] },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones(['testing']) }] },
  },
  {
    // Only ui/ touches the DOM (DESIGN.md): the layers below it may not reach for document/window.
    files: ['src/{app,history,analytics,storage,transfer,peer,signaling,crypto}/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'document', 'window'],
    },
  },
);
