/**
 * Registers the service worker (built by vite-plugin-pwa / Workbox, `generateSW`) with the plain
 * Service Worker API. A new version waits (no skipWaiting) until the user accepts the update
 * banner: then it is told SKIP_WAITING and the page reloads once it has taken control. The first
 * service worker takes over on the next load.
 */
export function registerServiceWorker(onNeedRefresh: (reload: () => void) => void): void {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  let shown = false;
  const offer = (reg: ServiceWorkerRegistration) => {
    // only an UPDATE waits for the user: without a controller this is the first install
    if (shown || !reg.waiting || !sw.controller) return;
    shown = true;
    onNeedRefresh(() => {
      let reloaded = false;
      sw.addEventListener('controllerchange', () => {
        if (reloaded) return;
        reloaded = true;
        location.reload();
      });
      reg.waiting?.postMessage({ type: 'SKIP_WAITING' });
    });
  };
  sw.register('/sw.js', { scope: '/' })
    .then((reg) => {
      offer(reg);
      reg.addEventListener('updatefound', () => {
        const w = reg.installing;
        w?.addEventListener('statechange', () => {
          if (w.state === 'installed') offer(reg);
        });
      });
      // long-lived tabs look for a new deployment now and then
      setInterval(() => void reg.update().catch(() => {}), 3600_000);
    })
    .catch(() => {
      /* no offline mode; the page still works online */
    });
}
