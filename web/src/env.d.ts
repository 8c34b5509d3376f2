/** true only in `vite build --mode test` (vite.config.ts): test hooks are compiled in. */
declare const __TEST_BUILD__: boolean;
