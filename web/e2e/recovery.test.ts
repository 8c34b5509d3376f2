/**
 * Issue 12: the browser client acts on a resume answered `recovered:false`. The sender's node is
 * killed (SIGKILL) mid-transfer: the sender's socket resumes on the other node, which cannot
 * restore what the dead node held (`recovered:false`). The sender then asks the receiver to offer
 * again (a `resync` signal → the receiver's ICE-restart offer, answered by the sender) and sends
 * its manifest and bitfields again; the transfer goes on through the renegotiation and completes
 * with the right SHA-256. A fresh join (also `recovered:false` by the contract) is not taken for a
 * lost session.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useFixture } from './fixture.js';
import {
  bodyNode,
  linkedPair,
  rows,
  saveAndHash,
  sha256File,
  waitAllDone,
  writeRandomFile,
} from './helpers.js';

const MiB = 1024 * 1024;
/** with RATE, long enough that the resume and the renegotiation happen mid-transfer */
const SIZE = 48 * MiB;
const RATE = 1 * MiB;
const NAME = 'data.bin';

let sha = '';
const e2e = useFixture({
  name: 'recovery',
  prepare: async (dir) => {
    writeRandomFile(join(dir, NAME), SIZE);
    sha = await sha256File(join(dir, NAME));
  },
});

/** Resumes of this page's signaling answered recovered:false (SignalingClient.lostResumes). */
function lostResumes(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { __p2p: { session: { sig: { lostResumes: number } } } }).__p2p.session
        .sig.lostResumes,
  );
}

interface LinkCounts {
  signaling: string;
  channel: string;
  offers: number;
  answers: number;
  resyncsSent: number;
  resyncsReceived: number;
}

/** The page's one link (session.debug().links[0]). */
async function theLink(page: Page): Promise<LinkCounts> {
  const links = await page.evaluate(
    () =>
      (
        window as unknown as { __p2p: { session: { debug(): { links?: unknown[] } } } }
      ).__p2p.session.debug().links ?? [],
  );
  assert.equal(links.length, 1, `one link: ${JSON.stringify(links)}`);
  return links[0] as LinkCounts;
}

describe('recovery after a resume with recovered:false', () => {
  test('the sender’s node is killed mid-transfer: the sender resumes recovered:false, renegotiates, the transfer completes', async () => {
    const { sender, receiver } = await linkedPair(e2e, [join(e2e.dir, NAME)], {
      recvQuery: `rate=${RATE}`,
    });
    const senderNode = await bodyNode(sender);
    assert.equal(await lostResumes(sender), 0, 'a fresh join is not a lost session');
    assert.equal(await lostResumes(receiver), 0, 'a fresh join is not a lost session');

    await receiver.getByTestId('accept').click({ timeout: 60_000 });
    await e2e.poll(
      () => rows(receiver),
      (r) => r[0]!.bytes >= 2 * MiB,
      60_000,
      'some progress',
    );
    const offersBefore = (await theLink(sender)).offers;
    e2e.cluster.kill(senderNode);

    await e2e.poll(
      () => lostResumes(sender),
      (n) => n === 1,
      90_000,
      'the sender resumed with recovered:false',
    );
    // data-node follows the (throttled) render, not the welcome itself: await it
    await e2e.poll(
      () => sender.evaluate(() => document.body.getAttribute('data-node') ?? ''),
      (node) => node !== '' && node !== senderNode,
      10_000,
      'the sender moved to the live node',
    );
    const asked = await e2e.poll(
      () => theLink(sender),
      (l) => l.resyncsSent === 1,
      10_000,
      'the sender asked the receiver to offer again',
    );
    assert.equal(asked.channel, 'open', 'the data channel stays up');
    await e2e.poll(
      () => theLink(receiver),
      (l) => l.resyncsReceived === 1,
      30_000,
      'the receiver got the resync',
    );
    const renegotiated = await e2e.poll(
      () => theLink(sender),
      (l) => l.offers > offersBefore && l.signaling === 'stable',
      30_000,
      'the receiver’s ICE-restart offer answered by the sender',
    );
    assert.equal(renegotiated.channel, 'open');
    const mid = await rows(receiver);
    assert.ok(mid[0]!.bytes < SIZE, `still transferring after the renegotiation: ${mid[0]!.bytes}`);

    await waitAllDone(receiver, 1, 240_000);
    assert.equal((await saveAndHash(receiver, NAME)).sha, sha, 'SHA-256 after the recovery');
    assert.equal(await lostResumes(receiver), 0, 'the receiver’s node lived: nothing lost there');
    await e2e.closeAll();
  });
});
