import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // node script that drives a browser page
    files: ['bench/**/*.mjs'],
    languageOptions: {
      globals: { RTCPeerConnection: 'readonly', performance: 'readonly', console: 'readonly' },
    },
  },
  {
    // Only ui/ touches the DOM (DESIGN.md): the engine layers may not reach for document/window.
    files: ['src/{signaling,peer,transfer,crypto,storage}/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'document', 'window'],
    },
  },
);
