/**
 * Issue 14, finding 4: the room id is not enough. Peers prove to each other that they hold the
 * link's key (challenge–response over `signal`) before any SDP, ICE candidate, manifest or block
 * goes out. Against real parts: the cluster, a sender and two honest Chromium receivers, and
 *  - a raw signaling client without the key (a WebSocket in a page with no app code) that joins
 *    the room as a "receiver", answers challenges with a made-up proof and sends a fake offer;
 *  - a receiver page of the app with a wrong key, which tries to send `done` to the sender over
 *    any data channel it gets;
 *  - a sender page of the app with a wrong key (test hook `?forge=`) in a room whose sender is
 *    away, whose manifest would pin a "wrong key" banner on an honest receiver.
 * Also (finding 4's bounds): a key holder's `have` with p = 2^31−1 is ignored by the receiver.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useFixture } from './fixture.js';
import { offer, rows, saveAndHash, sha256File, waitAllDone, writeRandomFile } from './helpers.js';

const MiB = 1024 * 1024;
const NAME = 'secret.bin';
const SIZE = 6 * MiB + 77;

const e2e = useFixture({
  name: 'keyproof',
  prepare: (dir) => writeRandomFile(join(dir, NAME), SIZE),
});

interface KeyProofDebug {
  proven: number;
  refused: number;
  ignored: number;
  unprovenSignalsDropped: number;
  peers: { id: string; proven: boolean; refused: boolean }[];
}

interface SessionDebug {
  peerId: string | null;
  peers: { id: string }[];
  sessions?: string[];
  peerLinks?: { id: string }[];
  manifest?: number | null;
  framesRefused?: number;
  error?: { code: string } | null;
  keyProof?: KeyProofDebug;
}

function debug(p: Page): Promise<SessionDebug> {
  return p.evaluate(
    () =>
      (
        window as unknown as { __p2p: { session: { debug(): unknown } } }
      ).__p2p.session.debug() as SessionDebug,
  );
}

/** Ids of the remote peers this app page has an open data channel with. */
function openChannels(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const s = (
      window as unknown as {
        __p2p: {
          session: { mesh?: { links: Map<string, { dc: RTCDataChannel; remoteId: string }> } };
        };
      }
    ).__p2p.session;
    return [...(s.mesh?.links.values() ?? [])]
      .filter((l) => l.dc.readyState === 'open')
      .map((l) => l.remoteId);
  });
}

/** Sends JSON control frames on every open data channel of an app page; returns how many went. */
function sendOnEveryChannel(p: Page, frames: unknown[]): Promise<number> {
  return p.evaluate((fs) => {
    const s = (
      window as unknown as {
        __p2p: { session: { mesh?: { links: Map<string, { dc: RTCDataChannel }> } } };
      }
    ).__p2p.session;
    let sent = 0;
    for (const l of s.mesh?.links.values() ?? [])
      if (l.dc.readyState === 'open')
        for (const f of fs) {
          l.dc.send(JSON.stringify(f));
          sent++;
        }
    return sent;
  }, frames);
}

/** Whether `d`'s page refused the key proof of peer `id`. */
const refusedPeer = (d: SessionDebug, id: string) =>
  !!d.keyProof?.peers.some((p) => p.id === id && p.refused);

const randomFragment = () =>
  `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

interface RawLog {
  peerId: string | null;
  /** every `signal` received: sender and data */
  signals: { from: string; data: unknown }[];
  joined: string[];
}

/**
 * A signaling client without the key, in a page with no app code (the balancer's /healthz):
 * joins the room as a receiver, challenges every peer, answers each challenge with a made-up
 * proof, and sends every peer a fake offer and candidate (which an unproven peer must not act on).
 */
async function rawStranger(room: string): Promise<Page> {
  const p = await e2e.page({ label: 'raw-stranger' });
  await p.goto(`${e2e.base}/healthz`);
  await p.evaluate(async (room) => {
    const place = (await (await fetch(`/api/rooms/${room}`)).json()) as { node: { url: string } };
    const log = { peerId: null as string | null, signals: [] as unknown[], joined: [] as string[] };
    (window as unknown as { __raw: unknown }).__raw = log;
    const ws = new WebSocket(place.node.url);
    const rnd = () => {
      const b = crypto.getRandomValues(new Uint8Array(32));
      return btoa(String.fromCharCode(...b))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    };
    const pester = (to: string) => {
      const send = (data: unknown) => ws.send(JSON.stringify({ type: 'signal', to, data }));
      send({ kp: 'hello', n: rnd() });
      send({ desc: { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' } });
      send({ cand: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
      send({ resync: true });
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: 'join', v: 1, room, meta: { role: 'r' } }));
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as {
        type: string;
        peerId?: string;
        peers?: { id: string }[];
        peer?: { id: string };
        from?: string;
        data?: { kp?: string };
      };
      if (m.type === 'welcome') {
        log.peerId = m.peerId ?? null;
        for (const x of m.peers ?? []) pester(x.id);
      } else if (m.type === 'peer-joined' && m.peer) {
        log.joined.push(m.peer.id);
        pester(m.peer.id);
      } else if (m.type === 'signal' && m.from) {
        log.signals.push({ from: m.from, data: m.data });
        // a made-up answer to every challenge (a hello, or the nonce a proof carries)
        if (m.data?.kp === 'hello' || m.data?.kp === 'proof')
          ws.send(
            JSON.stringify({
              type: 'signal',
              to: m.from,
              data: { kp: 'proof', n: rnd(), mac: rnd() },
            }),
          );
      }
    };
  }, room);
  return p;
}

function rawLog(p: Page): Promise<RawLog> {
  return p.evaluate(() => (window as unknown as { __raw: RawLog }).__raw);
}

/** Whether a signal's data carries an SDP or an ICE candidate (an address). */
function carriesAddress(data: unknown): boolean {
  const s = JSON.stringify(data ?? null);
  return /"desc"|"cand"|"sdp"|candidate/.test(s);
}

describe('issue 14 (4): proof of the key before anything is shared', { timeout: 600_000 }, () => {
  test('strangers get no SDP/ICE and cannot fake done; the honest transfer completes', async () => {
    const sender = await e2e.page({ label: 'sender' });
    const link = await offer(sender, e2e.base, [join(e2e.dir, NAME)]);
    const room = /\/r\/([A-Za-z0-9_-]+)#/.exec(link)![1]!;
    const senderId = (await debug(sender)).peerId!;

    const raw = await rawStranger(room);
    const stranger = await e2e.page({ label: 'no-key' });
    await stranger.goto(`${e2e.base}/r/${room}#${randomFragment()}`);
    const strangerId = await e2e
      .poll(
        () => debug(stranger),
        (d) => !!d.peerId,
        60_000,
        'stranger joined',
      )
      .then((d) => d.peerId!);

    // Either the stranger page got a data channel to the sender (the hole), or one of the two
    // refused the other's proof (whichever checked first; a refused peer is not answered).
    // Then it tries to make the sender show "done" with no receiver.
    await e2e.poll(
      async () => ({
        open: await openChannels(stranger),
        sender: await debug(sender),
        stranger: await debug(stranger),
      }),
      (v) =>
        v.open.includes(senderId) ||
        refusedPeer(v.sender, strangerId) ||
        refusedPeer(v.stranger, senderId),
      60_000,
      'the stranger linked, or sender and stranger refused a proof',
    );
    // every claim is checked and the broken ones reported together (on a client without the
    // key proof, all of them break)
    const broken: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) broken.push(what);
    };
    const fakeDone = await sendOnEveryChannel(stranger, [
      { t: 'progress', f: 0, bytes: SIZE, done: true },
    ]);
    if (fakeDone > 0) {
      const faked = await e2e
        .poll(
          () => rows(sender),
          (rs) => rs[0]?.state === 'done',
          10_000,
          'fake done shown',
        )
        .catch(() => null);
      check(
        false,
        `the stranger without the key sent "done" on ${fakeDone} data channel(s); ` +
          `the sender's row: ${JSON.stringify(faked ?? (await rows(sender)))}`,
      );
    } else {
      const states = (await rows(sender)).map((r) => r.state);
      check(states.join() === 'waiting', `the sender's row is ${states.join()} with no receiver`);
    }

    const receivers: Page[] = [];
    for (const label of ['r1', 'r2']) {
      const r = await e2e.page({ label });
      await r.goto(link);
      await r.getByTestId('accept').click({ timeout: 120_000 });
      receivers.push(r);
    }
    for (const r of receivers) await waitAllDone(r, 1, 240_000);
    const sha = await sha256File(join(e2e.dir, NAME));
    for (const r of receivers) assert.equal((await saveAndHash(r, NAME)).sha, sha);
    const ids = await Promise.all(receivers.map(async (r) => (await debug(r)).peerId!));
    await e2e.poll(
      () => rows(sender),
      (rs) => rs.length === 1 && rs[0]!.state === 'done',
      60_000,
      'the sender shows done once a receiver with the key has the file',
    );

    // the raw stranger was in the room throughout: every honest peer challenged it, answered
    // its challenge or (the hole) offered it a connection — so each saw it
    const log = await e2e.poll(
      () => rawLog(raw),
      (l) => [senderId, ...ids].every((id) => l.signals.some((s) => s.from === id)),
      60_000,
      'the raw stranger got signals from the sender and both receivers',
    );
    check(log.joined.includes(ids[0]!) && log.joined.includes(ids[1]!), 'raw saw both join');
    const leaked = log.signals.filter((s) => carriesAddress(s.data));
    check(
      leaked.length === 0,
      `${leaked.length} signals with an SDP or ICE candidate went to the raw stranger, from ` +
        [...new Set(leaked.map((s) => s.from))].join(),
    );

    // the stranger page got no channel and no manifest (file count, sizes) from anyone
    const open = await openChannels(stranger);
    check(open.length === 0, `the stranger page has open channels to ${open.join()}`);
    const sd = await debug(stranger);
    check(
      (sd.manifest ?? null) === null,
      `the stranger learned the manifest (${sd.manifest} files)`,
    );

    // nobody linked to either stranger; each refused the raw stranger's made-up proof, and the
    // sender dropped its fake offer, candidate and resync
    const sdbg = await debug(sender);
    check(
      [...(sdbg.sessions ?? [])].sort().join() === [...ids].sort().join(),
      `the sender's links: ${(sdbg.sessions ?? []).join()}, receivers: ${ids.join()}`,
    );
    check(refusedPeer(sdbg, log.peerId!), `sender refused raw: ${JSON.stringify(sdbg.keyProof)}`);
    check(
      (sdbg.keyProof?.unprovenSignalsDropped ?? 0) >= 3,
      `sender dropped the raw stranger's fake signals: ${JSON.stringify(sdbg.keyProof)}`,
    );
    for (const r of receivers) {
      const d = await debug(r);
      const linked = (d.peerLinks ?? []).map((l) => l.id);
      check(
        !linked.includes(strangerId) && !linked.includes(log.peerId!),
        `${d.peerId} linked to a stranger: ${linked.join()}`,
      );
      check(refusedPeer(d, log.peerId!), `${d.peerId} refused raw: ${JSON.stringify(d.keyProof)}`);
      check(d.error?.code !== 'wrong-key', `${d.peerId} shows wrong-key`);
    }
    assert.deepEqual(broken, [], 'what a peer without the key could do');

    // bounds: a key holder's `have` with p = 2^31−1 (and a piece index past the file) is
    // ignored: no allocation sized by it, the link stays, the counter says so
    const before = (await debug(receivers[1]!)).framesRefused ?? 0;
    const sent = await sendOnEveryChannel(receivers[0]!, [
      { t: 'have', f: 0, p: 2 ** 31 - 1 },
      { t: 'have', f: 0, p: 2 ** 31 - 1 },
      { t: 'have', f: 0, p: 2 ** 31 - 1 },
      { t: 'have', f: 0, p: 2 ** 31 - 1 },
      { t: 'have', f: 0, p: 7 },
      { t: 'have', f: 9, p: 0 },
    ]);
    assert.ok(sent >= 6, `r1 sent ${sent} frames`);
    await e2e.poll(
      () => debug(receivers[1]!),
      (d) => (d.framesRefused ?? 0) >= before + 6,
      30_000,
      'r2 refused the out-of-bounds have frames',
    );
    assert.ok((await openChannels(receivers[1]!)).includes(ids[0]!), 'r2 still linked to r1');
    await e2e.closeAll();
  });

  test('a wrong-key sender cannot pin a false "wrong key" banner', async () => {
    const created = (await (await fetch(`${e2e.base}/api/rooms`, { method: 'POST' })).json()) as {
      room: string;
    };
    const room = created.room;
    // the room's real sender is away; a page with another key joins it as a sender
    const forger = await e2e.page({ label: 'forger' });
    await forger.goto(`${e2e.base}/?forge=${room}#${randomFragment()}`);
    await forger.getByTestId('file-input').setInputFiles([join(e2e.dir, NAME)]);
    const forgerId = await e2e
      .poll(
        () => debug(forger),
        (d) => !!d.peerId,
        60_000,
        'forger joined',
      )
      .then((d) => d.peerId!);

    const r = await e2e.page({ label: 'receiver' });
    await r.goto(`${e2e.base}/r/${room}#${randomFragment()}`);
    const d = await e2e.poll(
      () => debug(r),
      (v) => v.error?.code === 'wrong-key' || (v.keyProof?.refused ?? 0) >= 1,
      60_000,
      'the receiver showed wrong-key, or refused the forger’s proof',
    );
    assert.notEqual(d.error?.code, 'wrong-key', 'a peer without the key pinned "wrong key"');
    assert.ok(!(await openChannels(r)).includes(forgerId), 'the receiver linked to the forger');
    await e2e.closeAll();
  });
});
