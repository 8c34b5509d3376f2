/**
 * Issue 15, a link at once: the sender's link is there before its file is hashed, and a receiver
 * still gets a verified file. The sender page holds its published piece hashes at HOLD pieces
 * (test hook `?hashHold=`, a sender whose hashing is slow, without timing): the link shows while
 * the signed manifest is not final, the receiver verifies and stores exactly the pieces whose
 * hashes it has, nothing beyond them, and — once the sender lets the remaining hashes out in
 * newer manifest versions — completes the file, byte-identical. How fast the link appears is a
 * speed figure: bench/browser measures it (the `link s` column), this test does not.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useFixture } from './fixture.js';
import { offer, saveAndHash, sha256File, stats, waitAllDone, writeRandomFile } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.E2E_LINK_MIB ?? 64) * MiB;
/** Piece hashes the sender publishes before the test releases the rest. */
const HOLD = 6;

interface SenderDebug {
  manifestSeq: number;
  manifestFinal: boolean;
  hashesPublished: number[];
}
interface ReceiverDebug {
  manifestSeq: number | null;
  manifestsRefused: number;
  outstanding: Record<string, number> | undefined;
}

const e2e = useFixture({
  name: 'linkfast',
  prepare: (dir) => writeRandomFile(join(dir, 'big.bin'), SIZE),
});

function debug<T>(p: Page): Promise<T> {
  return p.evaluate(
    () =>
      (
        window as unknown as { __p2p: { session: { debug(): unknown } } }
      ).__p2p.session.debug() as T,
  );
}

test('the link is shown before the file is hashed; the receiver gets it verified', async () => {
  const file = join(e2e.dir, 'big.bin');
  const sender = await e2e.page({ label: 'sender' });
  const link = await offer(sender, e2e.base, [file], 'file-input', `?hashHold=${HOLD}`);

  const atLink = await debug<SenderDebug>(sender);
  assert.equal(atLink.manifestFinal, false, 'the link is shown before the manifest is final');
  assert.ok(atLink.hashesPublished[0]! <= HOLD, `published ${atLink.hashesPublished[0]}`);

  const receiver = await e2e.page({ label: 'receiver' });
  await receiver.goto(link);
  await receiver.getByTestId('accept').click({ timeout: 120_000 });

  // the hashed prefix arrives verified and stored while the sender is still "hashing"
  await e2e.poll(
    async () => ({ s: await stats(receiver), d: await debug<ReceiverDebug>(receiver) }),
    (v) => v.s.piecesVerified === HOLD && Object.keys(v.d.outstanding ?? {}).length === 0,
    120_000,
    `the ${HOLD} pieces with published hashes verified, nothing more asked for`,
  );
  const held = await stats(receiver);
  assert.equal(held.bytesVerified, HOLD * MiB, 'only pieces whose hash arrived are verified');
  assert.equal(held.piecesFailed, 0);
  const before = await debug<ReceiverDebug>(receiver);
  assert.equal((await debug<SenderDebug>(sender)).manifestFinal, false);

  await sender.evaluate(() =>
    (
      window as unknown as { __p2p: { session: { releaseHashing(): void } } }
    ).__p2p.session.releaseHashing(),
  );
  await waitAllDone(receiver, 1);
  const after = await debug<ReceiverDebug>(receiver);
  assert.ok(after.manifestSeq! > before.manifestSeq!, 'a newer, longer manifest was adopted');
  assert.equal(after.manifestsRefused, 0, 'every version was the sender’s and consistent');
  const done = await stats(receiver);
  assert.equal(done.bytesVerified, SIZE);
  assert.equal(done.piecesFailed, 0);
  assert.equal((await debug<SenderDebug>(sender)).manifestFinal, true);
  const got = await saveAndHash(receiver, 'big.bin');
  assert.equal(got.sha, await sha256File(file), 'the received file is the sent one');
  await e2e.closeAll();
});
