/**
 * End-to-end: real balancer + two signaling nodes (from the Maven-built jars), headless Debian
 * Chromium, sender and receiver in separate browser contexts on DIFFERENT nodes (the receiver's
 * page is pointed at the other node with the ?node= debug hook).
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { captureFrames } from './browser.js';
import { WEB_DIR } from './cluster.js';
import { useFixture } from './fixture.js';
import {
  bodyNode,
  offer,
  otherNodeUrl,
  rows,
  saveAndHash,
  sha256File,
  stats,
  waitAllDone,
  withQuery,
  writeRandomFile,
  writeText,
} from './helpers.js';

const MiB = 1024 * 1024;
const BIG = Number(process.env.E2E_BIG_MIB ?? 200) * MiB;
const SECRET_TEXT = 'TOP-SECRET-CONTENT-' + Math.random().toString(36).slice(2);

const hashes = new Map<string, string>();

const e2e = useFixture({
  name: 'e2e',
  prepare: async (dir) => {
    writeRandomFile(join(dir, 'big.bin'), BIG);
    writeText(join(dir, 'empty.txt'), '');
    writeText(join(dir, 'secret-notes.txt'), SECRET_TEXT.repeat(100));
    writeRandomFile(join(dir, 'medium.bin'), 48 * MiB);
    writeText(join(dir, 'album', 'cover.txt'), 'cover ' + SECRET_TEXT);
    writeRandomFile(join(dir, 'album', 'disc1', 'track01.bin'), 3 * MiB + 17);
    writeText(join(dir, 'album', 'disc1', 'deep', 'lyrics.txt'), 'la la la');
    for (const f of [
      'big.bin',
      'empty.txt',
      'secret-notes.txt',
      'medium.bin',
      'album/cover.txt',
      'album/disc1/track01.bin',
      'album/disc1/deep/lyrics.txt',
    ])
      hashes.set(f, await sha256File(join(dir, f)));
  },
});
const page = (): Promise<Page> => e2e.page();
const closeAll = (): Promise<void> => e2e.closeAll();

/** Sender offers `files`; a receiver on the other node opens the link. */
interface PairOpts {
  input?: string;
  recvQuery?: string;
  senderQuery?: string;
  frames?: string[];
  /** changes the key in the receiver's link (wrong-key test) */
  mangleKey?: (key: string) => string;
}

/** Opens a receiver page on `link` and waits for its data channel to the sender. */
async function receiverFor(link: string, wait = 30_000): Promise<Page> {
  const r = await page();
  await r.goto(link);
  await e2e.poll(
    () => linked(r),
    (v) => v,
    wait,
    'data channel to the sender',
  );
  return r;
}

/** Whether the receiver has an open data channel to a sender. */
async function linked(receiver: Page): Promise<boolean> {
  return receiver.evaluate(() => {
    const d = (
      window as unknown as { __p2p: { session: { debug(): { seeders?: string[] } } } }
    ).__p2p.session.debug();
    return (d.seeders?.length ?? 0) > 0;
  });
}

async function pairOnce(files: string[] | string, opts: PairOpts) {
  const sender = await page();
  if (opts.frames) captureFrames(sender, opts.frames);
  const link = await offer(sender, e2e.base, files, opts.input, opts.senderQuery ?? '');
  const senderNode = await bodyNode(sender);
  const other = await otherNodeUrl(e2e.base, senderNode);
  const receiver = await page();
  if (opts.frames) captureFrames(receiver, opts.frames);
  const q = `node=${encodeURIComponent(other.url)}${opts.recvQuery ? '&' + opts.recvQuery : ''}`;
  const [head, key] = link.split('#');
  const recvLink = opts.mangleKey ? `${head}#${opts.mangleKey(key!)}` : link;
  await receiver.goto(withQuery(recvLink, q));
  const recvNode = await bodyNode(receiver);
  assert.notEqual(recvNode, senderNode, 'sender and receiver must sit on different nodes');
  return { sender, receiver, link, senderNode, recvNode: other };
}

/** Sender + receiver on different nodes, with their data channel up. */
async function pair(files: string[] | string, opts: PairOpts = {}) {
  const p = await pairOnce(files, opts);
  await e2e.poll(
    () => linked(p.receiver),
    (v) => v,
    30_000,
    'data channel to the sender',
  );
  return p;
}

/** Local and remote address of the receiver's selected ICE candidate pair. */
async function selectedPair(p: Page): Promise<string> {
  return p.evaluate(async () => {
    type Links = Map<string, { pc: RTCPeerConnection }>;
    const s = (window as unknown as { __p2p: { session: { mesh: { links: Links } } } }).__p2p;
    for (const l of s.session.mesh.links.values()) {
      const st = await l.pc.getStats();
      let out = '';
      st.forEach((r: Record<string, unknown>) => {
        if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
          const a = st.get(r.localCandidateId as string) as { address?: string };
          const b = st.get(r.remoteCandidateId as string) as { address?: string };
          out = `${a?.address} <-> ${b?.address}`;
        }
      });
      if (out) return out;
    }
    return 'none';
  });
}

async function storeKind(p: Page): Promise<string> {
  return p.evaluate(
    () =>
      (window as unknown as { __p2p: { session: { store: { kind: string } | null } } }).__p2p
        .session.store?.kind ?? '',
  );
}

async function accept(p: Page) {
  await p.getByTestId('accept').click({ timeout: 60_000 });
}

describe('p2p-share e2e', { concurrency: false }, () => {
  const timing: Record<string, number> = {};

  test(
    '(1) three files incl. 200 MiB and an empty one arrive intact; signaling never sees names or bytes',
    { timeout: 600_000 },
    async () => {
      const frames: string[] = [];
      const files = ['big.bin', 'empty.txt', 'secret-notes.txt'].map((f) => join(e2e.dir, f));
      const { sender, receiver } = await pair(files, { frames });
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 3,
        60_000,
        'offered rows',
      );
      const offered = await rows(receiver);
      assert.deepEqual(
        offered.map((r) => [r.name, r.size]).sort(),
        [
          ['big.bin', BIG],
          ['empty.txt', 0],
          ['secret-notes.txt', SECRET_TEXT.length * 100],
        ].sort(),
      );
      assert.equal(await receiver.getByTestId('peer-count').textContent(), '1');
      await e2e.poll(
        () => sender.getByTestId('peer-count').textContent(),
        (v) => v === '1',
        30_000,
        'sender peer count',
      );
      const t0 = Date.now();
      await accept(receiver);
      await waitAllDone(receiver, 3);
      const secs = (Date.now() - t0) / 1000;
      timing.encrypted = BIG / MiB / secs;
      console.log(
        `# throughput encrypted+hashed: ${(BIG / MiB).toFixed(0)} MiB in ${secs.toFixed(2)} s = ${timing.encrypted.toFixed(1)} MiB/s (all three files)`,
      );
      assert.equal(await storeKind(receiver), 'opfs', 'Chromium stores pieces in OPFS');
      const route = await selectedPair(receiver);
      // candidates sent and accepted are loopback only; the local socket may sit on any of this
      // machine's own interfaces, so both ends of the pair must be addresses of this machine
      const own = new Set(
        Object.values(networkInterfaces())
          .flat()
          .map((i) => i?.address),
      );
      for (const a of route.split(' <-> '))
        // a peer-reflexive remote may show no address in getStats; the others must be ours
        assert.ok(a === '' || own.has(a) || a.startsWith('127.'), `route ${route} stays here`);
      console.log(`# selected candidate pair (receiver): ${route}`);
      for (const f of ['big.bin', 'empty.txt', 'secret-notes.txt']) {
        const { sha, name } = await saveAndHash(receiver, f);
        assert.equal(name, f);
        assert.equal(sha, hashes.get(f), `${f} SHA-256`);
      }
      // the sender's rows reach done too (receiver reports progress over the data channel)
      await e2e.poll(
        () => rows(sender),
        (r) => r.length === 3 && r.every((x) => x.state === 'done' && x.bytes === x.size),
        30_000,
        'sender rows done',
      );
      await sender.screenshot({ path: join(WEB_DIR, 'screenshot.png'), fullPage: true });
      await receiver.screenshot({
        path: join(WEB_DIR, 'e2e', '.out', 'receiver.png'),
        fullPage: true,
      });
      // zero knowledge: no file name and no file content in any signaling frame
      assert.ok(frames.length > 5, 'frames were captured');
      const all = frames.join('\n');
      for (const needle of ['big.bin', 'empty.txt', 'secret-notes', SECRET_TEXT, 'TOP-SECRET'])
        assert.ok(!all.includes(needle), `signaling carried "${needle}"`);
      await closeAll();
    },
  );

  test(
    '(5b) throughput without encryption and hashing (debug switch ?plain=1), same run',
    { timeout: 600_000 },
    async () => {
      const { receiver } = await pair([join(e2e.dir, 'big.bin')], { senderQuery: '?plain=1' });
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 1,
        60_000,
        'offered rows',
      );
      const t0 = Date.now();
      await accept(receiver);
      await waitAllDone(receiver, 1);
      const secs = (Date.now() - t0) / 1000;
      timing.plain = BIG / MiB / secs;
      console.log(
        `# throughput plain (no crypto, no hashing): ${(BIG / MiB).toFixed(0)} MiB in ${secs.toFixed(2)} s = ${timing.plain.toFixed(1)} MiB/s`,
      );
      const { sha } = await saveAndHash(receiver, 'big.bin');
      assert.equal(sha, hashes.get('big.bin'));
      await closeAll();
    },
  );

  test('(2) a folder with nested subfolders keeps its paths', { timeout: 300_000 }, async () => {
    const { receiver } = await pair(join(e2e.dir, 'album'), {
      input: 'folder-input',
      recvQuery: 'storage=idb',
    });
    await e2e.poll(
      () => rows(receiver),
      (r) => r.length === 3,
      60_000,
      'offered rows',
    );
    const paths = (await rows(receiver)).map((r) => r.path).sort();
    assert.deepEqual(paths, [
      'album/cover.txt',
      'album/disc1/deep/lyrics.txt',
      'album/disc1/track01.bin',
    ]);
    await accept(receiver);
    await waitAllDone(receiver, 3);
    assert.equal(await storeKind(receiver), 'idb', 'the IndexedDB fallback works too');
    for (const p of paths) assert.equal((await saveAndHash(receiver, p)).sha, hashes.get(p), p);
    const [zip] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByTestId('save-all').click(),
    ]);
    assert.match(zip.suggestedFilename(), /\.zip$/);
    const { execFileSync } = await import('node:child_process');
    const listing = execFileSync('python3', [
      '-c',
      'import sys,zipfile; print("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))',
      await zip.path(),
    ])
      .toString()
      .trim()
      .split('\n');
    assert.deepEqual(listing, paths);
    await closeAll();
  });

  test('(3) pause then resume', { timeout: 300_000 }, async () => {
    const { receiver } = await pair([join(e2e.dir, 'medium.bin')], {
      recvQuery: `rate=${8 * MiB}`,
    });
    await e2e.poll(
      () => rows(receiver),
      (r) => r.length === 1,
      60_000,
      'offered rows',
    );
    await accept(receiver);
    await e2e.poll(
      () => rows(receiver),
      (r) => r[0]!.bytes > 4 * MiB,
      60_000,
      'some progress',
    );
    await receiver.getByTestId('pause').click();
    await e2e.poll(
      () => rows(receiver),
      (r) => r[0]!.state === 'paused',
      10_000,
      'paused',
    );
    await new Promise((r) => setTimeout(r, 1000)); // in-flight pieces land
    const b1 = (await rows(receiver))[0]!.bytes;
    await new Promise((r) => setTimeout(r, 1500));
    const b2 = (await rows(receiver))[0]!.bytes;
    assert.equal(b2, b1, 'no progress while paused');
    assert.ok(b1 < 48 * MiB);
    await receiver.getByTestId('resume').click();
    await waitAllDone(receiver, 1);
    assert.equal((await saveAndHash(receiver, 'medium.bin')).sha, hashes.get('medium.bin'));
    await closeAll();
  });

  test(
    '(4) receiver reload at about half, then completes with far fewer bytes sent again',
    { timeout: 300_000 },
    async () => {
      const { sender, receiver } = await pair([join(e2e.dir, 'medium.bin')], {
        recvQuery: `rate=${12 * MiB}`,
      });
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 1,
        60_000,
        'offered rows',
      );
      await accept(receiver);
      await e2e.poll(
        () => rows(receiver),
        (r) => r[0]!.bytes >= 24 * MiB,
        60_000,
        'half',
      );
      const sentBefore = (await stats(sender)).bytesSent!;
      const verifiedBefore = (await rows(receiver))[0]!.bytes;
      await receiver.reload();
      await waitAllDone(receiver, 1, 200_000);
      const after = await stats(receiver);
      const sentAfter = (await stats(sender)).bytesSent! - sentBefore;
      console.log(
        `# reload: receiver got ${(after.bytesReceived! / MiB).toFixed(1)} MiB after reload; sender sent ${(sentAfter / MiB).toFixed(1)} MiB after`,
      );
      // what was verified before the reload is not fetched again; only the rest, plus at most
      // the pieces in flight (window of 8) and those verified in the last save interval
      const slack = 10 * MiB;
      assert.ok(
        after.bytesReceived! <= 48 * MiB - verifiedBefore + slack,
        `received after reload ${after.bytesReceived}, verified before ${verifiedBefore}`,
      );
      assert.ok(
        after.bytesReceived! < 0.8 * 48 * MiB,
        `received after reload ${after.bytesReceived}`,
      );
      assert.ok(sentAfter < 0.8 * 48 * MiB, `sent after reload ${sentAfter}`);
      assert.equal((await saveAndHash(receiver, 'medium.bin')).sha, hashes.get('medium.bin'));
      await closeAll();
    },
  );

  test(
    '(5) a piece corrupted in flight is fetched again, only that piece',
    { timeout: 300_000 },
    async () => {
      const { sender, receiver } = await pair([join(e2e.dir, 'album', 'disc1', 'track01.bin')]);
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 1,
        60_000,
        'offered rows',
      );
      await receiver.evaluate(() => {
        (
          window as unknown as { __p2p: { stats: { corruptNextBlocks: number } } }
        ).__p2p.stats.corruptNextBlocks = 1;
      });
      await accept(receiver);
      await waitAllDone(receiver, 1);
      const s = await stats(receiver);
      assert.equal(s.piecesFailed, 1);
      const sent = (await stats(sender)).bytesSent!;
      assert.equal(sent, 3 * MiB + 17 + MiB, 'exactly one piece sent twice');
      assert.equal(
        (await saveAndHash(receiver, 'track01.bin')).sha,
        hashes.get('album/disc1/track01.bin'),
      );
      await closeAll();
    },
  );

  test('(6) a wrong key gives the clear error', { timeout: 240_000 }, async () => {
    // no data channel: the key proof stops a wrong key before any SDP (issue 14); the sender's
    // signature over its refusal tells the receiver that its own key is the damaged one
    const { receiver, link } = await pairOnce([join(e2e.dir, 'secret-notes.txt')], {
      // the fragment is `<content key>.<signer hash>`: change the content key
      mangleKey: (k) => {
        const [key, signer] = k.split('.') as [string, string];
        return `${key.slice(0, -4)}${key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}.${signer}`;
      },
    });
    const err = receiver.getByTestId('error');
    await err.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await err.getAttribute('data-code'), 'wrong-key');
    assert.match((await err.textContent()) ?? '', /key/i);
    assert.equal((await rows(receiver)).length, 0, 'no garbage rows');
    assert.equal(await linked(receiver), false, 'a wrong key gets no data channel');
    const noKey = await page();
    await noKey.goto(link.split('#')[0]!);
    await noKey.getByTestId('error').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await noKey.getByTestId('error').getAttribute('data-code'), 'wrong-key');
    await closeAll();
  });

  test(
    '(9) too little storage space gives the no-space error before anything is fetched',
    { timeout: 300_000 },
    async () => {
      const { sender, receiver } = await pair([join(e2e.dir, 'medium.bin')], {
        recvQuery: 'quota=1000000',
      });
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 1,
        60_000,
        'offered rows',
      );
      await accept(receiver);
      const err = receiver.getByTestId('error');
      await err.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await err.getAttribute('data-code'), 'no-space');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await stats(sender)).bytesSent, 0);
      await closeAll();
    },
  );

  test('(10) the sender closes its tab mid-transfer: peer-gone', { timeout: 300_000 }, async () => {
    const { sender, receiver } = await pair([join(e2e.dir, 'medium.bin')], {
      recvQuery: `rate=${4 * MiB}`,
    });
    await e2e.poll(
      () => rows(receiver),
      (r) => r.length === 1,
      60_000,
      'offered rows',
    );
    await accept(receiver);
    await e2e.poll(
      () => rows(receiver),
      (r) => r[0]!.bytes > 2 * MiB,
      60_000,
      'some progress',
    );
    await sender.close();
    const err = receiver.getByTestId('error');
    await err.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await err.getAttribute('data-code'), 'peer-gone');
    assert.notEqual((await rows(receiver))[0]!.state, 'done');
    await closeAll();
  });

  test('(7) one sender, two receivers at once', { timeout: 300_000 }, async () => {
    const { sender, receiver: r1, link } = await pair([join(e2e.dir, 'medium.bin')]);
    const r2 = await receiverFor(link); // through the balancer's node (the sender's)
    await Promise.all(
      [r1, r2].map((r) =>
        e2e.poll(
          () => rows(r),
          (x) => x.length === 1,
          60_000,
          'rows',
        ),
      ),
    );
    await e2e.poll(
      () => sender.getByTestId('peer-count').textContent(),
      (v) => v === '2',
      30_000,
      'two peers',
    );
    await Promise.all([accept(r1), accept(r2)]);
    await Promise.all([waitAllDone(r1, 1), waitAllDone(r2, 1)]);
    for (const r of [r1, r2])
      assert.equal((await saveAndHash(r, 'medium.bin')).sha, hashes.get('medium.bin'));
    await closeAll();
  });

  test(
    '(8) the sender’s node is killed mid-transfer: the transfer completes; a new receiver joins via the other node',
    { timeout: 300_000 },
    async () => {
      const { sender, receiver, link, senderNode, recvNode } = await pair(
        [join(e2e.dir, 'medium.bin')],
        { recvQuery: `rate=${8 * MiB}` },
      );
      await e2e.poll(
        () => rows(receiver),
        (r) => r.length === 1,
        60_000,
        'offered rows',
      );
      await accept(receiver);
      await e2e.poll(
        () => rows(receiver),
        (r) => r[0]!.bytes > 8 * MiB,
        60_000,
        'some progress',
      );
      e2e.cluster.kill(senderNode);
      await waitAllDone(receiver, 1);
      assert.equal((await saveAndHash(receiver, 'medium.bin')).sha, hashes.get('medium.bin'));
      // the sender finds its room again through the balancer, on the surviving node
      await e2e.poll(
        () => sender.evaluate(() => document.body.getAttribute('data-node')),
        (v) => v === recvNode.id,
        90_000,
        'sender rejoined on the other node',
      );
      const late = await receiverFor(link, 90_000);
      assert.equal(await bodyNode(late), recvNode.id);
      await e2e.poll(
        () => rows(late),
        (r) => r.length === 1,
        90_000,
        'late receiver sees the offer',
      );
      await accept(late);
      await waitAllDone(late, 1);
      assert.equal((await saveAndHash(late, 'medium.bin')).sha, hashes.get('medium.bin'));
      await closeAll();
    },
  );

  after(() => {
    if (timing.encrypted && timing.plain)
      console.log(
        `# MiB/s for ${(BIG / MiB).toFixed(0)} MiB: encrypted+hashed ${timing.encrypted.toFixed(1)}, plain ${timing.plain.toFixed(1)}`,
      );
  });
});
