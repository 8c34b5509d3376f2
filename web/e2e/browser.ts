/**
 * Headless Debian Chromium for the e2e tests (playwright-core; `npx playwright install` cannot
 * work here). On a closed network Chromium gathers no ICE candidates unless the context has the
 * camera and microphone permissions (then it also exposes host candidates instead of mDNS names).
 */
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The launch flags, one list shared with bench/browser (e2e/chromium-args.json). */
export const CHROMIUM_ARGS: string[] = [
  ...(JSON.parse(
    readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'chromium-args.json'),
      'utf8',
    ),
  ) as string[]),
  ...(process.env.E2E_EXTRA_ARGS ? process.env.E2E_EXTRA_ARGS.split(' ') : []),
];

/**
 * Chromium with the suite's flags (+ `extraArgs`); `executablePath` e.g. a launcher into a
 * network namespace (netns.ts).
 */
export async function launch(
  executablePath = CHROMIUM,
  extraArgs: string[] = [],
): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
}

/** A context with the media permissions and the loopback-only hook; `options` add to the defaults. */
export async function newContext(
  browser: Browser,
  base: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1000, height: 800 },
    ...options,
  });
  await ctx.grantPermissions(['camera', 'microphone'], { origin: base });
  // keep peer-to-peer test traffic on loopback (the page then drops every other ICE candidate)
  await ctx.addInitScript(() => {
    (window as unknown as { __P2P_LOOPBACK_ONLY: boolean }).__P2P_LOOPBACK_ONLY = true;
  });
  return ctx;
}

/** Records every frame of every WebSocket the page opens (both directions). */
export function captureFrames(page: Page, into: string[]): void {
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) =>
      into.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1')),
    );
    ws.on('framereceived', (f) =>
      into.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1')),
    );
  });
}
