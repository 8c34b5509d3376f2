/**
 * LAN-first local run (issue 15): a second device of the same network opens the app through this
 * machine's network address and receives a file sent from a `localhost` page.
 *
 * Everything runs in a private network namespace (e2e/netns.ts) with its own non-loopback address
 * A: the cluster binds 0.0.0.0 there, as the README's run command does, and keeps the contract's
 * default PUBLIC_URL (ws://localhost:<port>/ws); Chromium runs inside too. The sender's page is
 * http://localhost:<balancer>, the receiver's http://A:<balancer>/r/… — for the browser another
 * host, and not a secure context. The receiver must be handed the node under A (the balancer's
 * rewrite), be let in by the node's default Origin rule, and receive the file intact.
 * Skipped without root / `ip netns`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launch, newContext } from './browser.js';
import { type Cluster, OUT_DIR, startCluster } from './cluster.js';
import { createNetns, type Netns } from './netns.js';
import {
  offer,
  poll,
  saveAndHash,
  sha256File,
  waitAllDone,
  watched,
  writeRandomFile,
} from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.E2E_LAN_MIB ?? 24) * MiB;

let ns: Netns | null = null;
let cluster: Cluster | undefined;
let browser: Browser | undefined;
let dir: string;

/**
 * A page in a fresh context. The LAN page is not a secure context, so it cannot be granted the
 * media permissions newContext() gives (nor would a phone's browser have them): its ICE host
 * candidates then carry mDNS names, as on a real device.
 */
async function open(base: string, secure: boolean): Promise<Page> {
  const ctx = secure
    ? await newContext(browser!, base)
    : await browser!.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 800 } });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.log('[pageerror]', e.message));
  p.on('console', (m) => {
    if (m.type() === 'error') console.log('[console.error]', m.text());
  });
  watched.push(p);
  return p;
}

describe('LAN: a device on the network receives from a localhost page', () => {
  before(async () => {
    ns = createNetns();
    if (!ns) return;
    dir = mkdtempSync(join(tmpdir(), 'p2p-lan-'));
    cluster = await startCluster({ netns: ns, host: '0.0.0.0', advertise: false });
    browser = await launch(ns.chromium(OUT_DIR));
  });

  after(async () => {
    watched.length = 0;
    await browser?.close().catch(() => {});
    await cluster?.stop();
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the receiver opens the link through the LAN address and gets the file', async (t) => {
    if (!ns || !cluster) return t.skip('no network namespace (needs root and ip netns)');
    const file = join(dir, 'lan.bin');
    writeRandomFile(file, SIZE);
    const local = cluster.base; // http://localhost:<balancer port>
    const lan = `http://${ns.address}:${cluster.balancer.port}`;

    const sender = await open(local, true);
    const link = await offer(sender, local, [file]);
    assert.ok(link.startsWith(local + '/r/'), 'the link is the sender page’s own');

    const receiver = await open(lan, false);
    const sockets: string[] = [];
    receiver.on('websocket', (ws) => sockets.push(ws.url()));
    await receiver.goto(lan + link.slice(local.length));
    assert.equal(
      await receiver.evaluate(() => window.isSecureContext),
      false,
      'a LAN address over http is not a secure context',
    );
    const shown = await poll(
      () =>
        receiver.evaluate(() => ({
          accept: !document.querySelector<HTMLElement>('[data-testid="accept"]')?.hidden,
          error: document.querySelector<HTMLElement>('[data-testid="error"]:not([hidden])')
            ?.textContent,
          problem: document.querySelector<HTMLElement>(
            '[data-testid="connection-problem"]:not([hidden])',
          )?.textContent,
        })),
      (v) => v.accept || !!v.error,
      60_000,
      'the offer (or an error) on the LAN page',
    );
    assert.equal(shown.error, undefined, 'no error on the LAN page');
    await receiver.getByTestId('accept').click({ timeout: 60_000 });
    await waitAllDone(receiver, 1);
    assert.ok(sockets.length > 0, 'the receiver opened a signaling socket');
    for (const u of sockets)
      assert.equal(new URL(u).hostname, ns.address, `node URL follows the page's host: ${u}`);
    assert.equal(await receiver.getByTestId('connection-problem').isHidden(), true);
    const got = await saveAndHash(receiver, 'lan.bin');
    assert.equal(got.sha, await sha256File(file));
    // the sender saw it too
    await poll(
      () => sender.getByTestId('file-row').getAttribute('data-state'),
      (s) => s === 'done',
      60_000,
      'sender row done',
    );
  });
});
