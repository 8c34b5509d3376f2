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

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Relaunching. The ICE-gathering flake (a page gathers no local candidate, see web/README.md)
 * sticks to a Chromium instance, so a stuck pairing gets a NEW browser. The browser a test holds
 * stays valid: `newContext(browser)` follows its replacement, earlier contexts keep running in the
 * old instance, and closing the original closes every replacement.
 */
const replaced = new Map<Browser, Promise<Browser>>();
const replacements = new Map<Browser, Browser[]>(); // original → its replacements

/** The browser new contexts go to: `browser`, or the latest replacement of it. */
export async function current(browser: Browser): Promise<Browser> {
  let b = browser;
  for (let next = replaced.get(b); next; next = replaced.get(b)) b = await next;
  return b;
}

function originalOf(b: Browser): Browser {
  for (const [orig, list] of replacements) if (list.includes(b)) return orig;
  return b;
}

/**
 * `stale` (an instance pages ran in) is bad: later contexts of it (and of the browser a test holds,
 * if `stale` is its current one) go to a freshly launched Chromium. Once per instance.
 */
export async function relaunch(stale: Browser, why: string): Promise<Browser> {
  const already = replaced.get(stale);
  if (already) return current(await already);
  console.log(`# RETRY relaunching Chromium (${why})`);
  const next = launch();
  replaced.set(stale, next);
  const fresh = await next;
  const orig = originalOf(stale);
  if (!replacements.has(orig)) {
    replacements.set(orig, []);
    orig.once('disconnected', () => {
      for (const r of replacements.get(orig) ?? []) void r.close().catch(() => {});
      replacements.delete(orig);
    });
  }
  replacements.get(orig)!.push(fresh);
  // an earlier replacement with nothing left running in it can go now
  if (stale !== orig && stale.contexts().length === 0) void stale.close().catch(() => {});
  return fresh;
}

/** A context with the media permissions and the loopback-only hook; `options` add to the defaults. */
export async function newContext(
  browser: Browser,
  base: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const b = await current(browser);
  const ctx = await b.newContext({
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
