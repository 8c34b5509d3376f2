/**
 * Issue 14, finding 2: only the sender's signed manifest is adopted. A forger holds the content
 * key (it joins the room from the link, test hook `?forge=<room>`) but not the sender's signing
 * key; it offers another file with `plain: true` and a higher manifest seq. Two honest receivers
 * (one linked before the forger, one after) refuse its manifest, show only the sender's file and
 * receive it intact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, newContext } from './browser.js';
import { type Cluster, startCluster } from './cluster.js';
import {
  offer,
  poll,
  rows,
  saveAndHash,
  sha256File,
  waitAllDone,
  writeRandomFile,
  writeText,
} from './helpers.js';

let dir: string;
let cluster: Cluster;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function page(): Promise<Page> {
  const ctx = await newContext(browser, cluster.base);
  contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.log('[pageerror]', e.message));
  return p;
}

interface RecvDebug {
  manifest: number | null;
  manifestSeq: number | null;
  manifestsRefused: number;
  peerLinks: { id: string }[];
}

function debug(p: Page): Promise<RecvDebug> {
  return p.evaluate(
    () =>
      (
        window as unknown as { __p2p: { session: { debug(): unknown } } }
      ).__p2p.session.debug() as RecvDebug,
  );
}

async function receive(link: string): Promise<Page> {
  const r = await page();
  await r.goto(link);
  await r.getByTestId('accept').click({ timeout: 120_000 });
  return r;
}

describe('issue 14 (2): sender-signed manifests', { timeout: 600_000 }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'p2p-signed-'));
    cluster = await startCluster();
    browser = await launch();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a key holder’s forged manifest (plain, other file) is refused', async () => {
    const real = join(dir, 'real.bin');
    writeRandomFile(real, 6 * 1024 * 1024 + 123);
    const evil = join(dir, 'evil.txt');
    writeText(evil, 'forged content');
    const sender = await page();
    const link = await offer(sender, cluster.base, [real]);
    const room = /\/r\/([A-Za-z0-9_-]+)#/.exec(link)![1]!;
    const fragment = link.split('#')[1]!;

    const first = await receive(link);
    await waitAllDone(first, 1, 240_000);

    const forger = await page();
    await offer(forger, cluster.base, [evil], 'file-input', `?forge=${room}&plain=1#${fragment}`);
    // the forger's manifest reaches the first receiver once they are linked: refused
    await poll(
      () => debug(first),
      (d) => d.manifestsRefused >= 1,
      120_000,
      'first receiver refused the forged manifest',
    );

    const second = await receive(link);
    await poll(
      () => debug(second),
      (d) => d.manifestsRefused >= 1 && d.peerLinks.length >= 2,
      120_000,
      'second receiver linked to the forger and refused its manifest',
    );
    await waitAllDone(second, 1, 240_000);
    // the sender's manifest grows while it hashes (seq 1, 2, …: issue 15); its final seq
    const senderSeq = await sender.evaluate(
      () =>
        (
          window as unknown as { __p2p: { session: { debug(): { manifestSeq: number } } } }
        ).__p2p.session.debug().manifestSeq,
    );
    assert.ok(senderSeq < 1000);
    for (const r of [first, second]) {
      const d = await debug(r);
      assert.equal(
        d.manifestSeq,
        senderSeq,
        `the sender’s manifest (seq ${senderSeq}), not the forger’s (seq 1000)`,
      );
      assert.deepEqual(
        (await rows(r)).map((x) => x.path),
        ['real.bin'],
      );
      assert.equal((await saveAndHash(r, 'real.bin')).sha, await sha256File(real));
    }
  });
});
