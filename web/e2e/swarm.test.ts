/**
 * End-to-end swarm: a receiver fetches one file from three seeders at once — the sender, a
 * receiver that holds only about half of the pieces (it paused), and a receiver that corrupts
 * every block it sends (`?corruptSend=`). The file arrives intact, pieces come from several
 * seeders, and the corrupting one is demoted (its pieces fetched elsewhere). Also prints the
 * download rate from one seeder vs from three honest ones (`# swarm …` lines).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useFixture } from './fixture.js';
import {
  offer,
  rows,
  saveAndHash,
  sha256File,
  waitAllDone,
  withQuery,
  writeRandomFile,
} from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.E2E_SWARM_MIB ?? 64) * MiB;
const NAME = 'swarm.bin';

let sha = '';

const e2e = useFixture({
  name: 'swarm',
  prepare: async (dir) => {
    writeRandomFile(join(dir, NAME), SIZE);
    sha = await sha256File(join(dir, NAME));
  },
});

interface PeerCounters {
  bytes: number;
  pieces: number;
  piecesFailed: number;
  timeouts: number;
  excluded: boolean;
}
interface PageView {
  peerId: string;
  /** peers with an open data channel */
  peerLinks: string[];
  piecesFailed: number;
  fromPeers: Record<string, PeerCounters>;
}

const page = (): Promise<Page> => e2e.page();
const close = (p: Page): Promise<void> => e2e.close(p);

/** The page's peer id, open peer links, and what it received from whom. */
async function view(p: Page): Promise<PageView> {
  return p.evaluate(() => {
    const w = window as unknown as {
      __p2p: {
        stats: { piecesFailed: number; fromPeers: Record<string, PeerCounters> };
        session: { debug(): { peerId?: string; peerLinks?: { id: string }[] } };
      };
    };
    const d = w.__p2p.session.debug();
    return {
      peerId: d.peerId ?? '',
      peerLinks: (d.peerLinks ?? []).map((l) => l.id),
      piecesFailed: w.__p2p.stats.piecesFailed,
      fromPeers: JSON.parse(JSON.stringify(w.__p2p.stats.fromPeers)) as Record<
        string,
        PeerCounters
      >,
    };
  });
}

/** A receiver on `link` with open data channels to the peers `need` and the offered row. */
async function receiver(link: string, need: string[], query = ''): Promise<Page> {
  const r = await page();
  await r.goto(query ? withQuery(link, query) : link);
  await e2e.poll(
    () => view(r),
    (v) => need.every((id) => v.peerLinks.includes(id)),
    30_000,
    `links to ${need.length} peer(s)`,
  );
  await e2e.poll(
    () => rows(r),
    (x) => x.length === 1,
    60_000,
    'offered row',
  );
  return r;
}

/** Accepts and waits for the file; returns MiB/s. */
async function download(p: Page): Promise<number> {
  const t0 = Date.now();
  await p.getByTestId('accept').click({ timeout: 60_000 });
  await waitAllDone(p, 1, 240_000);
  return SIZE / MiB / ((Date.now() - t0) / 1000);
}

/** How many pieces of the file each of `ids` announced to page `p`. */
async function announced(p: Page, ids: string[]): Promise<number[]> {
  return p.evaluate(
    ([ids, n]) => {
      type Peer = { holds(f: number, p: number): boolean };
      const w = window as unknown as {
        __p2p: { session: { swarm: { peers: Map<string, Peer> } } };
      };
      return ids.map((id) => {
        const peer = w.__p2p.session.swarm.peers.get(id);
        let count = 0;
        for (let i = 0; i < n; i++) if (peer?.holds(0, i)) count++;
        return count;
      });
    },
    [ids, SIZE / MiB] as const,
  );
}

async function pieceSenders(p: Page, ids: Record<string, string>): Promise<string> {
  const v = await view(p);
  return Object.entries(ids)
    .map(([name, id]) => `${name} ${v.fromPeers[id]?.pieces ?? 0}`)
    .join(', ');
}

describe('p2p-share swarm e2e', { concurrency: false }, () => {
  test(
    'a receiver completes from the sender, a half-holder and a corrupting seeder; one vs three seeders',
    { timeout: 480_000 },
    async () => {
      const sender = await page();
      const link = await offer(sender, e2e.base, [join(e2e.dir, NAME)]);
      const senderId = (await view(sender)).peerId;

      // one seeder: the first receiver fetches from the sender alone
      const first = await receiver(link, [senderId]);
      const single = await download(first);
      console.log(`# swarm 1 seeder: ${SIZE / MiB} MiB at ${single.toFixed(1)} MiB/s`);

      // a receiver stopped at about half (rate-limited, then paused): it seeds what it has
      const half = await receiver(link, [senderId], `rate=${8 * MiB}`);
      await half.getByTestId('accept').click({ timeout: 60_000 });
      await e2e.poll(
        () => rows(half),
        (r) => r[0]!.bytes >= SIZE / 2,
        120_000,
        'half of the file',
      );
      await half.getByTestId('pause').click();
      await e2e.poll(
        () => rows(half),
        (r) => r[0]!.state === 'paused',
        30_000,
        'paused',
      );

      // a receiver that will corrupt every block it sends
      const liar = await receiver(link, [senderId], 'corruptSend=1000000');
      await download(liar);
      await close(first); // the honest full copy leaves: three seeders remain

      const ids = {
        sender: senderId,
        half: (await view(half)).peerId,
        liar: (await view(liar)).peerId,
      };
      const fresh = await receiver(link, Object.values(ids));
      const rate3 = await download(fresh);
      assert.equal((await saveAndHash(fresh, NAME)).sha, sha, 'SHA-256 of the file');
      const v = await view(fresh);
      console.log(`# swarm pieces by seeder: ${await pieceSenders(fresh, ids)}`);
      console.log(`# swarm counters: ${JSON.stringify(v.fromPeers)}`);
      const sources = Object.values(v.fromPeers).filter((c) => c.pieces > 0).length;
      assert.ok(sources >= 2, `pieces came from ${sources} seeder(s)`);
      assert.ok((v.fromPeers[ids.half]?.pieces ?? 0) > 0, 'the half-holder sent pieces');
      assert.ok((v.fromPeers[ids.sender]?.pieces ?? 0) > 0, 'the sender sent pieces');
      const lied = v.fromPeers[ids.liar];
      assert.ok(lied && lied.piecesFailed >= 1, 'the corrupting seeder was caught');
      assert.equal(lied.pieces, 0, 'no piece of the corrupting seeder was accepted');
      assert.ok(v.piecesFailed >= lied.piecesFailed, 'failed pieces counted');
      console.log(
        `# swarm demoted seeder: ${lied.piecesFailed} bad piece(s), excluded=${lied.excluded}; file still complete and right`,
      );
      console.log(`# swarm 3 seeders (one corrupting): ${rate3.toFixed(1)} MiB/s`);

      // three honest full seeders: the sender, `fresh`, and another full copy
      await close(liar);
      await close(half);
      const freshId = (await view(fresh)).peerId;
      const second = await receiver(link, [senderId]);
      await download(second);
      const last = await receiver(link, [senderId, freshId, (await view(second)).peerId]);
      const rateHonest = await download(last);
      assert.equal((await saveAndHash(last, NAME)).sha, sha, 'SHA-256 of the file');
      const w = await view(last);
      const from = Object.values(w.fromPeers).filter((c) => c.pieces > 0).length;
      assert.ok(from >= 2, `pieces came from ${from} seeder(s)`);
      // opting out (the receiver's checkbox, on by default) withdraws what it announced
      const secondId = (await view(second)).peerId;
      const toggle = second.getByTestId('seed-toggle');
      assert.equal(await toggle.isChecked(), true, 'seeding is on by default');
      await toggle.uncheck();
      await e2e.poll(
        () => announced(last, [secondId, senderId]),
        ([fromSecond, fromSender]) => fromSecond === 0 && fromSender === SIZE / MiB,
        30_000,
        'the opted-out receiver announces nothing',
      );
      console.log(
        `# swarm 3 honest seeders: ${SIZE / MiB} MiB at ${rateHonest.toFixed(1)} MiB/s (1 seeder: ${single.toFixed(1)} MiB/s); pieces per seeder: ${Object.values(
          w.fromPeers,
        )
          .map((c) => c.pieces)
          .join(', ')}`,
      );
    },
  );
});
