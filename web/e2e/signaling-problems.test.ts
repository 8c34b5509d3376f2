/**
 * Every signaling failure shows a message in the page with what to do (issue 15), and the
 * message goes away once the page is in its room:
 *  - an unreachable node (nothing listens on the URL): `signaling-unreachable`, naming the port;
 *  - a node that refuses the page's Origin (HTTP 403 on the WebSocket handshake — the browser
 *    reports it to the page exactly like a dead host): `signaling-refused`;
 *  - a cluster whose every node drains (SIGTERM): the balancer answers 503 → `signaling-no-node`.
 * The page is a receiver link; the first connection is pointed with the `?node=` debug hook,
 * later ones follow the balancer. For the refused case the page is served under a second name of
 * this machine (Chromium's host-resolver rule maps it to 127.0.0.1), which the node cannot know
 * to be its own (no DNS in a handshake) when the page connects to it by 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from './cluster.js';
import { useFixture } from './fixture.js';

/** A second name of this machine, known only to this test's Chromium. */
const OTHER_NAME = 'p2p-share-lan.test';
const KEY = 'A'.repeat(43); // a well-formed room key: these pages never get a manifest

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

const e2e = useFixture({
  name: 'signaling-problems',
  browser: { args: [`--host-resolver-rules=MAP ${OTHER_NAME} 127.0.0.1`] },
});

async function newRoom(): Promise<string> {
  const r = await fetch(`${e2e.base}/api/rooms`, { method: 'POST' });
  assert.equal(r.status, 201);
  return ((await r.json()) as { room: string }).room;
}

async function receiverPage(origin: string, room: string, node: string): Promise<Page> {
  // no media permissions needed (no peer connection here), and none for OTHER_NAME's origin
  const ctx = await e2e.browser.newContext();
  await ctx.addInitScript(recordBanners);
  const page = await e2e.open(ctx);
  await page.goto(`${origin}/r/${room}?node=${encodeURIComponent(node)}#${KEY}`);
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
    const page = await receiverPage(e2e.base, await newRoom(), `ws://127.0.0.1:${dead}/ws`);
    const [b] = await e2e.poll(
      () => shownSoFar(page),
      (x) => x.length > 0,
      30_000,
      'connection problem shown',
    );
    assert.equal(b!.code, 'signaling-unreachable');
    assert.match(b!.text, new RegExp(`127\\.0\\.0\\.1:${dead}`));
    assert.match(b!.text, /firewall|network/);
    await joined(page); // the retry asks the balancer, whose node works
    assert.equal((await banner(page)).hidden, true, 'the message is gone after joining');
    await page.context().close();
  });

  test('a node that refuses the page’s Origin (403): says so and how to allow it', async () => {
    const port = e2e.cluster.balancer.port;
    const nodePort = e2e.cluster.nodes[0]!.port;
    const page = await receiverPage(
      `http://${OTHER_NAME}:${port}`,
      await newRoom(),
      `ws://127.0.0.1:${nodePort}/ws`,
    );
    const [b] = await e2e.poll(
      () => shownSoFar(page),
      (x) => x.length > 0,
      30_000,
      'connection problem shown',
    );
    assert.equal(b!.code, 'signaling-refused', b!.text);
    assert.match(b!.text, /refused this page/);
    assert.match(b!.text, /ALLOWED_ORIGINS/);
    // the balancer hands this page the node under the name it used: accepted
    await joined(page);
    assert.equal((await banner(page)).hidden, true);
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
