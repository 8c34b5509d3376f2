/**
 * Every signaling failure shows a message in the page with what to do (issue 15), and the
 * message goes away once the page is in its room:
 *  - an unreachable node (nothing listens on the URL): `signaling-unreachable`, naming it;
 *  - a node that refuses the page's Origin (HTTP 403 on the WebSocket handshake — the browser
 *    reports it to the page exactly like a dead host): `signaling-refused` (a second cluster whose
 *    ALLOWED_ORIGINS names another origin only);
 *  - a cluster whose every node drains (SIGTERM): the balancer answers 503 → `signaling-no-node`.
 * The pages are receiver links; the unreachable node is given with the `?node=` test hook, on
 * localhost (the page's CSP lets it reach node hosts only), later connections follow the balancer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from './cluster.js';
import { useFixture } from './fixture.js';

/** A second name of this machine, known only to this test's Chromium. */
// a well-formed link fragment (content key . signer hash): these pages never get a manifest
const KEY = `${'A'.repeat(43)}.${'A'.repeat(43)}`;

interface Banner {
  code: string | null;
  text: string;
  hidden: boolean;
}

/** The banner now. */
async function banner(page: Page): Promise<Banner> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid="connection-problem"]');
    return {
      code: el?.getAttribute('data-code') ?? null,
      text: el?.textContent ?? '',
      hidden: !el || el.hidden,
    };
  });
}

/**
 * Every state the banner was shown in (recorded in the page by a MutationObserver): a problem
 * may be over — the retry joined — before a poll would see it.
 */
async function shownSoFar(page: Page): Promise<Banner[]> {
  return page.evaluate(() => (window as unknown as { __banners: Banner[] }).__banners);
}

function recordBanners() {
  const log: { code: string | null; text: string; hidden: boolean }[] = [];
  (window as unknown as { __banners: typeof log }).__banners = log;
  new MutationObserver(() => {
    const el = document.querySelector<HTMLElement>('[data-testid="connection-problem"]');
    if (!el || el.hidden) return;
    const last = log.at(-1);
    const now = { code: el.getAttribute('data-code'), text: el.textContent ?? '', hidden: false };
    if (!last || last.code !== now.code || last.text !== now.text) log.push(now);
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

const e2e = useFixture({ name: 'signaling-problems' });
/** A cluster whose nodes accept pages of another origin only: every page here gets 403. */
const strict = useFixture({
  name: 'signaling-refused',
  cluster: { env: { ALLOWED_ORIGINS: 'https://elsewhere.example' } },
});

async function newRoom(f = e2e): Promise<string> {
  const r = await fetch(`${f.base}/api/rooms`, { method: 'POST' });
  assert.equal(r.status, 201);
  return ((await r.json()) as { room: string }).room;
}

async function receiverPage(
  origin: string,
  room: string,
  node: string | null,
  f = e2e,
): Promise<Page> {
  // no media permissions needed (no peer connection here)
  const ctx = await f.browser.newContext();
  await ctx.addInitScript(recordBanners);
  const page = await f.open(ctx);
  const q = node ? `?node=${encodeURIComponent(node)}` : '';
  await page.goto(`${origin}/r/${room}${q}#${KEY}`);
  return page;
}

async function joined(page: Page): Promise<void> {
  await e2e.poll(
    () => page.evaluate(() => document.body.getAttribute('data-node') ?? ''),
    (n) => n !== '',
    60_000,
    'the page joined its room',
  );
}

describe('signaling failures are shown in the page', () => {
  test('an unreachable node: a message naming it, gone once the balancer’s node is joined', async () => {
    const dead = await freePort(); // nothing listens there
    const page = await receiverPage(e2e.base, await newRoom(), `ws://localhost:${dead}/ws`);
    const [b] = await e2e.poll(
      () => shownSoFar(page),
      (x) => x.length > 0,
      30_000,
      'connection problem shown',
    );
    assert.equal(b!.code, 'signaling-unreachable');
    assert.match(b!.text, new RegExp(`localhost:${dead}`));
    assert.match(b!.text, /firewall|network/);
    await joined(page); // the retry asks the balancer, whose node works
    assert.equal((await banner(page)).hidden, true, 'the message is gone after joining');
    await page.context().close();
  });

  test('a draining cluster: "no signaling node available", after the page was in its room', async () => {
    const page = await receiverPage(e2e.base, await newRoom(), e2e.cluster.nodes[0]!.wsUrl!);
    await joined(page);
    assert.equal((await banner(page)).hidden, true);
    for (const n of e2e.cluster.nodes) n.child.kill('SIGTERM'); // drain: reconnect, then exit
    const b = await e2e.poll(
      () => banner(page),
      (x) => x.code === 'signaling-no-node',
      60_000,
      'no-node message',
    );
    assert.equal(b.hidden, false);
    assert.match(b.text, /no signaling node available/);
    await page.context().close();
  });
});

describe('a node that refuses the page’s Origin', () => {
  test('403 on the handshake: says so and how to allow the origin', async () => {
    const page = await receiverPage(strict.base, await newRoom(strict), null, strict);
    const [b] = await strict.poll(
      () => shownSoFar(page),
      (x) => x.length > 0,
      30_000,
      'connection problem shown',
    );
    assert.equal(b!.code, 'signaling-refused', b!.text);
    assert.match(b!.text, /refused this page/);
    assert.match(b!.text, /ALLOWED_ORIGINS/);
    assert.equal((await banner(page)).hidden, false, 'still shown: every retry is refused');
    await page.context().close();
  });
});
