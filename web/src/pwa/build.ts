/**
 * Build-time PWA pieces (Node side, used by vite.config.ts): the web app manifest, the Workbox
 * service worker (vite-plugin-pwa, generateSW) and the app icons, rendered from one SVG to PNG
 * (192 and 512 px) with resvg at build time.
 *
 * Caching per route (see web/README.md):
 *   app shell (index.html, /assets/*, icons, manifest) — precached, served cache-first by the SW;
 *   navigations to / and /r/<room> — the precached index.html (NavigationRoute fallback);
 *   /api/*, /ws, /metrics, /dashboard — network only, never cached.
 */
import { Resvg } from '@resvg/resvg-js';
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export const THEME_COLOR = '#4f46e5';

export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<rect width="512" height="512" rx="96" fill="${THEME_COLOR}"/>
<circle cx="160" cy="256" r="64" fill="#ffffff"/>
<circle cx="352" cy="256" r="64" fill="#c7d2fe"/>
<path d="M224 256h64" stroke="#ffffff" stroke-width="28" stroke-linecap="round"/>
</svg>`;

export const ICON_SIZES = [192, 512] as const;

/** Paths that must always go to the network (room assignment, signaling, operator pages). */
export const NETWORK_ONLY = /^\/(api\/|ws(\/|$)|metrics(\/|$)|dashboard(\/|$))/;

export function renderIcon(size: number): Uint8Array {
  return new Resvg(ICON_SVG, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

/** Emits icons/icon-<size>.png into the bundle (before the SW precache list is made). */
function icons(): Plugin {
  return {
    name: 'p2p-share-icons',
    apply: 'build',
    generateBundle() {
      for (const size of ICON_SIZES)
        this.emitFile({
          type: 'asset',
          fileName: `icons/icon-${size}.png`,
          source: renderIcon(size),
        });
    },
    transformIndexHtml() {
      return [
        { tag: 'meta', attrs: { name: 'theme-color', content: THEME_COLOR }, injectTo: 'head' },
        {
          tag: 'link',
          attrs: { rel: 'apple-touch-icon', href: '/icons/icon-192.png' },
          injectTo: 'head',
        },
      ];
    },
  };
}

export function pwaPlugins(): Plugin[] {
  return [
    icons(),
    ...VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        id: '/',
        name: 'p2p-share — encrypted file sharing',
        short_name: 'p2p-share',
        description:
          'Send files straight from browser to browser, end-to-end encrypted. Nothing is uploaded to a server.',
        theme_color: THEME_COLOR,
        background_color: '#f5f5fb',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg}'],
        navigateFallback: '/index.html',
        navigateFallbackAllowlist: [/^\/$/, /^\/r\/[^/]+\/?$/],
        navigateFallbackDenylist: [NETWORK_ONLY],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
        runtimeCaching: [
          {
            // serialized into sw.js: no outer variables inside this function
            urlPattern: ({ url }) =>
              /^\/(api\/|ws(\/|$)|metrics(\/|$)|dashboard(\/|$))/.test(url.pathname),
            handler: 'NetworkOnly',
          },
        ],
      },
    }),
  ];
}
