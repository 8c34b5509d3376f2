/// <reference types="vite-plugin-pwa/client" />
/**
 * Registers the service worker (built by vite-plugin-pwa / Workbox). A new version waits until
 * the user reloads through the update banner (registerType 'prompt'); the first one takes over
 * on the next load.
 */
import { registerSW } from 'virtual:pwa-register';

export function registerServiceWorker(onNeedRefresh: (reload: () => void) => void): void {
  if (!('serviceWorker' in navigator)) return;
  const update = registerSW({
    immediate: true,
    onNeedRefresh: () => onNeedRefresh(() => void update(true)),
    onRegisterError: () => {
      /* no offline mode, the page still works online */
    },
  });
}
