/**
 * Issue 8 end-to-end (real balancer + two signaling nodes, headless Chromium): the web app
 * manifest and service worker, the offline shell, the transfer history (survives a reload,
 * resumes a pinned partial transfer, deletes its OPFS data) and opt-in analytics.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { OUT_DIR } from './cluster.js';
import { type Fixture, useFixture } from './fixture.js';
import { offer, waitAllDone, withQuery, writeRandomFile } from './helpers.js';

const MiB = 1024 * 1024;

/** the suite's fixture (set inside the describe) */
let e2e: Fixture;
const context = (): Promise<BrowserContext> => e2e.context();
/** Closes the contexts of earlier tests: fewer live peer connections. */
const closeAll = (): Promise<void> => e2e.closeAll();
const open = (ctx: BrowserContext): Promise<Page> => e2e.open(ctx);

interface RowAttrs {
  id: string;
  room: string;
  status: string;
  direction: string;
  pinned: string;
}

async function historyRows(page: Page): Promise<RowAttrs[]> {
  return page.$$eval('[data-testid="history-row"]', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-id') ?? '',
      room: e.getAttribute('data-room') ?? '',
      status: e.getAttribute('data-status') ?? '',
      direction: e.getAttribute('data-direction') ?? '',
      pinned: e.getAttribute('data-pinned') ?? '',
    })),
  );
}

function analyticsRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/analytics') seen.push(`${r.method()} ${r.postData()}`);
  });
  return seen;
}

/** Whether the page's data channel to a peer is open. */
async function linked(page: Page): Promise<boolean> {
  return page
    .evaluate(() => {
      type Links = Map<string, { dc: RTCDataChannel }>;
      const s = (window as unknown as { __p2p?: { session: { mesh?: { links: Links } } } }).__p2p;
      return [...(s?.session.mesh?.links.values() ?? [])].some((l) => l.dc.readyState === 'open');
    })
    .catch(() => false);
}

/** Waits for the data channel to the sender. */
async function waitLinked(page: Page): Promise<void> {
  await e2e.poll(
    () => linked(page),
    (v) => v,
    30_000,
    'data channel to the sender',
  );
}

function roomOf(link: string): string {
  return new URL(link).pathname.split('/')[2]!;
}

function pngSize(b: Buffer): { w: number; h: number } {
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

describe('issue 8: PWA, history, analytics', { timeout: 900_000 }, () => {
  e2e = useFixture({ name: 'pwa' });

  test('pwa: manifest valid with both icons; the service worker controls the page after a reload; offline the shell loads from it with the offline banner and /api stays network-only', async () => {
    const res = await fetch(`${e2e.base}/manifest.webmanifest`);
    assert.equal(res.status, 200);
    const m = (await res.json()) as Record<string, unknown> & {
      icons: { src: string; sizes: string; type: string }[];
    };
    assert.equal(m.name, 'p2p-share — encrypted file sharing');
    assert.equal(m.short_name, 'p2p-share');
    assert.ok(typeof m.description === 'string' && m.description.length > 10);
    assert.equal(m.display, 'standalone');
    assert.equal(m.start_url, '/');
    assert.match(String(m.theme_color), /^#[0-9a-f]{6}$/i);
    for (const size of [192, 512]) {
      const icon = m.icons.find((i) => i.sizes === `${size}x${size}` && i.type === 'image/png');
      assert.ok(icon, `icon ${size}`);
      const r = await fetch(new URL(icon.src, e2e.base));
      assert.equal(r.status, 200, icon.src);
      assert.deepEqual(pngSize(Buffer.from(await r.arrayBuffer())), { w: size, h: size });
    }

    const ctx = await context();
    const page = await open(ctx);
    await page.goto(e2e.base + '/');
    assert.equal(await page.getAttribute('link[rel="manifest"]', 'href'), '/manifest.webmanifest');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), false);
    await page.reload();
    await e2e.poll(
      () => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''),
      (v) => v.endsWith('/sw.js'),
      30_000,
      'the service worker controls the page',
    );
    assert.equal(await page.getByTestId('offline').isVisible(), false);

    await ctx.setOffline(true);
    await page.goto(e2e.base + '/');
    await page.getByTestId('offline').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await page.getByTestId('offline').textContent()) ?? '', /offline/i);
    assert.ok(await page.getByTestId('file-input').count(), 'the sender page rendered offline');
    // room assignment is never answered from the cache
    assert.equal(
      await page.evaluate(() =>
        fetch('/api/nodes').then(
          (r) => `status ${r.status}`,
          () => 'failed',
        ),
      ),
      'failed',
    );
    // offering a file offline says the room could not be created
    const small = join(e2e.dir, 'offline.txt');
    writeRandomFile(small, 1000);
    await page.getByTestId('file-input').setInputFiles([small]);
    await e2e.poll(
      () => page.getAttribute('[data-testid="error"]', 'data-code'),
      (c) => c === 'signaling',
      30_000,
      'could not create a room',
    );
    // a receiver link opens offline too (the key stays in the fragment) and waits
    await page.goto(`${e2e.base}/r/AAAAAAAAAAAAAAAAAAAAAA#${'A'.repeat(43)}.${'A'.repeat(43)}`);
    await page.getByTestId('offline').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('history').waitFor({ state: 'attached', timeout: 10_000 });
    await page.getByText('Connecting to the sender…').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('error').isVisible(), false);
    await ctx.setOffline(false);
    await page.getByTestId('offline').waitFor({ state: 'hidden', timeout: 10_000 });
  });

  test('pwa: a new deployment shows "A new version is ready — Reload", which hands over to the new service worker', async () => {
    // the balancer serves the client from its private webroot (e2e/cluster.ts): change sw.js there
    await closeAll();
    const sw = join(OUT_DIR, `jars-${e2e.cluster.name}`, 'webroot', 'sw.js');
    assert.ok(existsSync(sw), sw);
    const ctx = await context();
    const page = await open(ctx);
    await page.goto(e2e.base + '/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await e2e.poll(
      () => page.evaluate(() => navigator.serviceWorker.controller !== null),
      (v) => v,
      30_000,
      'controlled',
    );
    assert.equal(await page.getByTestId('update-ready').isVisible(), false);
    appendFileSync(sw, `\n// deployment ${Date.now()}\n`);
    // the server may keep the old file's properties for up to 30 s: ask until the change is seen
    await e2e.poll(
      async () => {
        const sw = await page.evaluate(async () => {
          const r = await navigator.serviceWorker.getRegistration();
          await r?.update().catch(() => {});
          return {
            active: r?.active?.state ?? null,
            waiting: r?.waiting?.state ?? null,
            installing: r?.installing?.state ?? null,
            controlled: navigator.serviceWorker.controller !== null,
          };
        });
        const served = (await (await fetch(`${e2e.base}/sw.js`)).text()).includes('deployment');
        return { served, sw, banner: await page.getByTestId('update-ready').isVisible() };
      },
      (v) => v.banner,
      90_000,
      'update banner',
    );
    assert.match(
      (await page.getByTestId('update-ready').textContent()) ?? '',
      /new version is ready/,
    );
    const before = await page.evaluate(() => performance.timeOrigin);
    await page.getByTestId('update-ready').getByRole('button', { name: 'Reload' }).click();
    await e2e.poll(
      () => page.evaluate(() => performance.timeOrigin).catch(() => before),
      (t) => t !== before,
      30_000,
      'page reloaded',
    );
    await e2e.poll(
      () =>
        page
          .evaluate(async () => {
            const r = await navigator.serviceWorker.getRegistration();
            return !!r?.active && !r.waiting && navigator.serviceWorker.controller !== null;
          })
          .catch(() => false),
      (v) => v,
      30_000,
      'the new service worker active and in control',
    );
    assert.equal(await page.getByTestId('update-ready').isVisible(), false);
  });

  let receiverCtx: BrowserContext;
  let received: { room: string; link: string; sender: Page };

  test('history + analytics: a transfer leaves history rows on both sides that survive a reload; no analytics request without consent, exactly one with it; /metrics counts it', async () => {
    await closeAll();
    const file = join(e2e.dir, 'history.bin');
    writeRandomFile(file, 3 * MiB);
    const senderCtx = await context();
    const sender = await open(senderCtx);
    const senderReq = analyticsRequests(sender);
    const link = await offer(sender, e2e.base, [file]);
    // the sender never answers the prompt: no consent
    assert.equal(await sender.getByTestId('analytics-consent').isVisible(), true);

    receiverCtx = await context();
    const receiver = await open(receiverCtx);
    const recvReq = analyticsRequests(receiver);
    await receiver.goto(link);
    await receiver.getByTestId('analytics-consent').waitFor({ state: 'visible' });
    await receiver.getByTestId('analytics-yes').click();
    await receiver.getByTestId('analytics-consent').waitFor({ state: 'hidden' });
    assert.equal(await receiver.getByTestId('analytics-toggle').isChecked(), true);
    await receiver.getByTestId('accept').click({ timeout: 120_000 });
    await waitAllDone(receiver, 1, 180_000);

    const room = roomOf(link);
    const recvRow = await e2e.poll(
      () => historyRows(receiver),
      (r) => r.some((x) => x.id === `receive:${room}` && x.status === 'completed'),
      30_000,
      'receiver history row completed',
    );
    assert.equal(recvRow.find((x) => x.id === `receive:${room}`)!.pinned, 'false');
    await e2e.poll(
      () => historyRows(sender),
      (r) => r.some((x) => x.id === `send:${room}` && x.status === 'completed'),
      30_000,
      'sender history row completed',
    );
    await e2e.poll(
      async () => recvReq.length,
      (n) => n >= 1,
      30_000,
      'the analytics report',
    );
    await new Promise((r) => setTimeout(r, 3000)); // nothing more follows
    assert.equal(recvReq.length, 1, recvReq.join('\n'));
    const body = JSON.parse(recvReq[0]!.replace(/^POST /, '')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'avgBps',
      'browser',
      'connection',
      'direction',
      'durationMs',
      'errors',
      'outcome',
      'peakBps',
      'sizeBucket',
      'v',
    ]);
    assert.equal(body.direction, 'receive');
    assert.equal(body.outcome, 'completed');
    assert.equal(body.sizeBucket, '1-10MB');
    assert.equal(body.browser, 'chromium');
    assert.equal(body.connection, 'direct', 'loopback host candidates');
    assert.ok(!JSON.stringify(body).includes(room));
    assert.equal(senderReq.length, 0, 'no analytics without consent');

    const summary = (await (await fetch(`${e2e.base}/api/analytics/summary`)).json()) as {
      reports: number;
    };
    assert.equal(summary.reports, 1);
    const metrics = await (await fetch(`${e2e.base}/metrics`)).text();
    assert.match(
      metrics,
      /^p2p_analytics_transfers_total\{[^}]*direction="receive"[^}]*outcome="completed"[^}]*\} 1(\.0)?$/m,
    );

    // the history survives a reload (a fresh page of the app, here the start page)
    await receiver.goto(e2e.base + '/');
    await e2e.poll(
      () => historyRows(receiver),
      (r) => r.some((x) => x.id === `receive:${room}` && x.status === 'completed'),
      30_000,
      'history row after reload',
    );
    assert.equal(recvReq.length, 1, 'no second report after the reload');
    assert.equal(senderReq.length, 0);
    received = { room, link, sender };
  });

  test('history: deleting a row removes it and its OPFS data', async () => {
    assert.ok(received, 'needs the transfer of the previous test');
    const page = receiverCtx.pages()[0]!;
    const { room } = received;
    const hasData = () =>
      page.evaluate(
        (r) =>
          (
            window as unknown as { __p2pHistory: { hasOpfsData(r: string): Promise<boolean> } }
          ).__p2pHistory.hasOpfsData(r),
        room,
      );
    assert.equal(await hasData(), true, 'the received file is in OPFS');
    await page
      .locator(`[data-testid="history-row"][data-id="receive:${room}"]`)
      .getByTestId('history-delete')
      .click();
    await e2e.poll(
      () => historyRows(page),
      (r) => !r.some((x) => x.id === `receive:${room}`),
      15_000,
      'row gone',
    );
    assert.equal(await hasData(), false, 'OPFS data deleted');
    await page.reload();
    await page.getByTestId('history').waitFor();
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(!(await historyRows(page)).some((x) => x.id === `receive:${room}`));
  });

  test('history: a pinned partial transfer resumes from the History view', async () => {
    await closeAll();
    const file = join(e2e.dir, 'resume.bin');
    writeRandomFile(file, 6 * MiB);
    const senderCtx = await context();
    const sender = await open(senderCtx);
    const link = await offer(sender, e2e.base, [file]);
    const room = roomOf(link);
    const ctx = await context();
    const page = await open(ctx);
    const req = analyticsRequests(page);
    await page.goto(withQuery(link, 'rate=524288'));
    await waitLinked(page);
    await e2e.poll(
      () => page.getByTestId('accept').isVisible(),
      (v) => v,
      120_000,
      'accept button',
    );
    await page.getByTestId('accept').click();
    const row = page.locator(`[data-testid="history-row"][data-id="receive:${room}"]`);
    await row.getByTestId('history-pin').click({ timeout: 30_000 });
    await e2e.poll(
      async () => (await row.getAttribute('data-pinned')) ?? '',
      (v) => v === 'true',
      10_000,
      'pinned',
    );
    await e2e.poll(
      () =>
        page.evaluate(
          () =>
            (window as unknown as { __p2p: { stats: { bytesVerified: number } } }).__p2p.stats
              .bytesVerified,
        ),
      (b) => b >= 1 * MiB,
      120_000,
      'some bytes received',
    );
    await page.goto(e2e.base + '/');
    const rows = await e2e.poll(
      () => historyRows(page),
      (r) =>
        r.some((x) => x.id === `receive:${room}` && x.status === 'partial' && x.pinned === 'true'),
      15_000,
      'partial pinned row',
    );
    assert.ok(rows.length >= 1);
    await page
      .locator(`[data-testid="history-row"][data-id="receive:${room}"]`)
      .getByTestId('history-resume')
      .click();
    await page.waitForURL((u) => u.pathname === `/r/${room}` && !u.search.includes('rate'));
    await waitLinked(page);
    await waitAllDone(page, 1, 180_000);
    await e2e.poll(
      () => historyRows(page),
      (r) => r.some((x) => x.id === `receive:${room}` && x.status === 'completed'),
      30_000,
      'resumed row completed',
    );
    assert.equal(req.length, 0, 'no consent in this context: no analytics');
  });
});
