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
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { OUT_DIR } from './cluster.js';
import { useFixture } from './fixture.js';
import { createNetns } from './netns.js';
import { offer, saveAndHash, sha256File, waitAllDone, writeRandomFile } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.E2E_LAN_MIB ?? 24) * MiB;

const ns = createNetns();

describe(
  'LAN: a device on the network receives from a localhost page',
  { skip: ns ? false : 'no network namespace (needs root and ip netns)' },
  () => {
    const e2e = useFixture({
      name: 'lan',
      prepare: (dir) => writeRandomFile(join(dir, 'lan.bin'), SIZE),
      cluster: { netns: ns!, host: '0.0.0.0', advertise: false },
      browser: () => ({ executablePath: ns!.chromium(OUT_DIR) }),
    });
    after(() => ns?.destroy());

    /**
     * The LAN page is not a secure context, so it cannot be granted the media permissions the
     * fixture's contexts get (nor would a phone's browser have them): its ICE host candidates
     * then carry mDNS names, as on a real device.
     */
    async function lanPage(): Promise<Page> {
      const ctx = await e2e.browser.newContext({
        acceptDownloads: true,
        viewport: { width: 1000, height: 800 },
      });
      return e2e.open(ctx, 'lan');
    }

    test('the receiver opens the link through the LAN address and gets the file', async () => {
      const file = join(e2e.dir, 'lan.bin');
      const local = e2e.base; // http://localhost:<balancer port>
      const lan = `http://${ns!.address}:${e2e.cluster.balancer.port}`;

      const sender = await e2e.page({ label: 'sender' });
      const link = await offer(sender, local, [file]);
      assert.ok(link.startsWith(local + '/r/'), 'the link is the sender page’s own');

      const receiver = await lanPage();
      const sockets: string[] = [];
      receiver.on('websocket', (ws) => sockets.push(ws.url()));
      await receiver.goto(lan + link.slice(local.length));
      assert.equal(
        await receiver.evaluate(() => window.isSecureContext),
        false,
        'a LAN address over http is not a secure context',
      );
      const shown = await e2e.poll(
        () =>
          receiver.evaluate(() => ({
            accept: !document.querySelector<HTMLElement>('[data-testid="accept"]')?.hidden,
            error: document.querySelector<HTMLElement>('[data-testid="error"]:not([hidden])')
              ?.textContent,
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
        assert.equal(new URL(u).hostname, ns!.address, `node URL follows the page's host: ${u}`);
      assert.equal(await receiver.getByTestId('connection-problem').isHidden(), true);
      const got = await saveAndHash(receiver, 'lan.bin');
      assert.equal(got.sha, await sha256File(file));
      await receiver.context().close();
      await e2e.closeAll();
    });
  },
);
