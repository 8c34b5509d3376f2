/**
 * Network paths end to end: Debian's coturn on 127.0.0.1 (use-auth-secret), the cluster's nodes
 * hand out time-limited TURN credentials (TURN_URLS + TURN_SECRET), and
 *  - a direct transfer and a relay-only transfer (window.__P2P_FORCE_RELAY) of the same file,
 *    SHA-256 checked, the relay path asserted from getStats and the UI, MB/s printed;
 *  - an expired credential (computed here with the same secret) gathers no relay candidate
 *    while a fresh one does;
 *  - the relay fallback: a direct link forced `degraded` (test hook) switches to relay and the
 *    transfer completes.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort, OUT_DIR } from './cluster.js';
import { type Fixture, useFixture } from './fixture.js';
import {
  healthLines,
  linkedPair,
  type PairOptions,
  poll,
  saveAndHash,
  selectedCandidateTypes,
  sha256File,
  waitAllDone,
  writeRandomFile,
} from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.E2E_NET_MIB ?? 64) * MiB;
const TURNSERVER = process.env.TURNSERVER ?? '/usr/bin/turnserver';
const SECRET = randomBytes(18).toString('base64url');
const REALM = 'p2p.e2e';

let turn: ChildProcess;
let turnPort: number;
let fileHash: string;
/** the suite's fixture (set inside the describe: a skipped suite starts nothing) */
let e2e: Fixture;

/** coturn on loopback only, relaying to loopback peers, credentials from the shared secret. */
async function startTurn(dir: string): Promise<void> {
  turnPort = await freePort();
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 100;
  turn = spawn(
    TURNSERVER,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${turnPort}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 99}`,
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      `--realm=${REALM}`,
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      '-v', // allocations, refusals and their reasons in e2e/.out/coturn-*.log
      `--pidfile=${join(dir, 'turnserver.pid')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  mkdirSync(OUT_DIR, { recursive: true });
  const log = createWriteStream(join(OUT_DIR, `coturn-${turnPort}.log`));
  turn.stdout?.pipe(log);
  turn.stderr?.pipe(log);
  // ready once it accepts TCP on its port
  await poll(
    () =>
      new Promise<boolean>((res) => {
        if (turn.exitCode !== null) return res(false);
        import('node:net')
          .then(({ connect }) => {
            const s = connect(turnPort, '127.0.0.1');
            s.once('connect', () => (s.destroy(), res(true)));
            s.once('error', () => res(false));
          })
          .catch(() => res(false));
      }),
    (v) => v || turn.exitCode !== null,
    30_000,
    'coturn listening',
  );
  assert.equal(turn.exitCode, null, 'turnserver exited (see e2e/.out/coturn-*.log)');
}

/** coturn's use-auth-secret scheme: username `<expiry>:<id>`, password base64(HMAC-SHA1). */
function credential(expiresAtS: number): { username: string; credential: string } {
  const username = `${expiresAtS}:e2e-probe`;
  return {
    username,
    credential: createHmac('sha1', SECRET).update(username).digest('base64'),
  };
}

const relayOnly: PairOptions['setup'] = (page) =>
  page.addInitScript(() => {
    (window as unknown as { __P2P_FORCE_RELAY: boolean }).__P2P_FORCE_RELAY = true;
  });

/**
 * Connect without TURN first (TURN stays known for the fallback). Needed here: coturn relays on
 * 127.0.0.1 like the host candidates, and ICE then picked relay/relay over host/host in about
 * half of the runs — an artefact of the all-loopback set-up, not of a real network. Also seen
 * here (stand-alone repro, two connections in one page): a relay candidate pairs with the other
 * side's relay candidate, but never with its loopback host candidate (coturn creates the
 * permission for 127.0.0.1, yet no check succeeds), so a relay path needs TURN on both sides.
 */
const directFirst: PairOptions['setup'] = (page) =>
  page.addInitScript(() => {
    (window as unknown as { __P2P_DIRECT_FIRST: boolean }).__P2P_DIRECT_FIRST = true;
  });

/** Accepts, waits for the file, returns MB/s (decimal) from accept to done and the SHA-256. */
async function receive(receiver: Page): Promise<{ mbps: number; sha: string }> {
  await receiver.getByTestId('accept').click({ timeout: 60_000 });
  const t0 = Date.now();
  await waitAllDone(receiver, 1, 240_000);
  const secs = (Date.now() - t0) / 1000;
  const { sha } = await saveAndHash(receiver, 'data.bin');
  return { mbps: SIZE / 1e6 / secs, sha };
}

/** Waits for the page's health line(s) to show `path` (the UI reads the getStats monitor). */
async function uiPath(page: Page, path: string): Promise<void> {
  await e2e.poll(
    () => healthLines(page),
    (l) => l.length > 0 && l.every((x) => x.path === path),
    30_000,
    `peer-health path ${path}`,
  );
}

/** The path the UI must show for a selected pair (same mapping as peer/health.ts pathOf). */
function expectedPath(t: { local: string; remote: string }): string {
  if (t.local === 'relay' || t.remote === 'relay') return 'relay';
  if ([t.local, t.remote].some((x) => x === 'srflx' || x === 'prflx')) return 'stun';
  return 'direct';
}

/**
 * The UI shows the path of the selected pair; returns it. (A loopback pair may have a
 * peer-reflexive remote — learnt from a check before its signal — which reads as `stun`.)
 */
async function shownPath(page: Page): Promise<string> {
  // both are re-read: early on the pair (or its remote's type, prflx → host) may still change
  const seen = await e2e.poll(
    async () => ({ types: await selectedCandidateTypes(page), lines: await healthLines(page) }),
    ({ types, lines }) =>
      types.length > 0 &&
      lines.length > 0 &&
      lines.every((l) => l.path === expectedPath(types[0]!)),
    30_000,
    'peer-health path = path of the selected pair',
  );
  return expectedPath(seen.types[0]!);
}

/** session.debug().links of a page (states, candidate counters, health, relay switches). */
async function linksOf(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      (
        window as unknown as { __p2p: { session: { debug(): { links?: unknown[] } } } }
      ).__p2p.session.debug().links,
  );
}

/** Every candidate and pair a page's links know (loopback addresses only in these tests). */
async function candidateDump(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    type Links = Map<string, { pc: RTCPeerConnection }>;
    const s = (window as unknown as { __p2p: { session: { mesh: { links: Links } } } }).__p2p;
    const out: string[] = [];
    for (const l of s.session.mesh.links.values()) {
      const st = await l.pc.getStats();
      st.forEach((r: Record<string, unknown>) => {
        if (r.type === 'local-candidate' || r.type === 'remote-candidate')
          out.push(`${r.id} ${r.type} ${r.candidateType} ${r.protocol} ${r.address}:${r.port}`);
        if (r.type === 'candidate-pair')
          out.push(`${r.localCandidateId}->${r.remoteCandidateId} ${r.state} nom=${r.nominated}`);
      });
    }
    return out;
  });
}

/** Types of every local candidate of a page's links (getStats). */
async function localCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    type Links = Map<string, { pc: RTCPeerConnection }>;
    const s = (window as unknown as { __p2p: { session: { mesh: { links: Links } } } }).__p2p;
    const out: string[] = [];
    for (const l of s.session.mesh.links.values())
      (await l.pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'local-candidate') out.push(String(r.candidateType));
      });
    return out;
  });
}

const skip = existsSync(TURNSERVER) ? false : `no ${TURNSERVER} (apt-get install coturn)`;

describe('network: TURN relay, fallback, credentials', { timeout: 900_000, skip }, () => {
  e2e = useFixture({
    name: 'net',
    prepare: async (dir) => {
      writeRandomFile(join(dir, 'data.bin'), SIZE);
      fileHash = await sha256File(join(dir, 'data.bin'));
      await startTurn(dir);
    },
    cluster: () => ({
      env: {
        TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp,turn:127.0.0.1:${turnPort}?transport=tcp`,
        TURN_SECRET: SECRET,
        TURN_TTL_S: '600',
      },
    }),
  });

  after(() => {
    turn?.kill('SIGKILL');
  });

  test('direct vs relay-only transfer of the same file: relay pair on both sides, SHA-256, MB/s', async () => {
    const direct = await linkedPair(e2e, [join(e2e.dir, 'data.bin')], { setup: directFirst });
    // the nodes handed out TURN servers with credentials (values not logged)
    const servers = await direct.receiver.evaluate(() =>
      (
        window as unknown as { __p2p: { session: { sig: { iceServers: RTCIceServer[] } } } }
      ).__p2p.session.sig.iceServers.map((s) => ({
        urls: s.urls,
        hasCredential: !!s.username && !!s.credential,
      })),
    );
    assert.ok(
      servers.some((s) => String(s.urls).includes(`turn:127.0.0.1:${turnPort}`) && s.hasCredential),
      `welcome.iceServers carry the TURN server with credentials: ${JSON.stringify(servers)}`,
    );
    const d = await receive(direct.receiver);
    assert.equal(d.sha, fileHash, 'direct: SHA-256 of the received file');
    const dTypes = await selectedCandidateTypes(direct.receiver);
    const switches = await Promise.all([direct.sender, direct.receiver].map(linksOf));
    assert.ok(
      dTypes.length > 0 && dTypes.every((t) => t.local !== 'relay' && t.remote !== 'relay'),
      `direct: no relay in the selected pair: ${JSON.stringify(dTypes)} ${JSON.stringify(switches)}`,
    );
    for (const page of [direct.receiver, direct.sender])
      assert.notEqual(await shownPath(page), 'relay');
    await e2e.closeAll();

    const relay = await linkedPair(e2e, [join(e2e.dir, 'data.bin')], { setup: relayOnly });
    const r = await receive(relay.receiver);
    assert.equal(r.sha, fileHash, 'relay: SHA-256 of the received file');
    for (const [who, page] of [
      ['sender', relay.sender],
      ['receiver', relay.receiver],
    ] as const) {
      const types = await selectedCandidateTypes(page);
      assert.ok(
        types.length > 0 && types.every((t) => t.local === 'relay' && t.remote === 'relay'),
        `relay: ${who}'s selected pair is relay/relay: ${JSON.stringify(types)}`,
      );
      await uiPath(page, 'relay');
    }
    console.log(`# network direct ${d.mbps.toFixed(1)} MB/s (${SIZE / MiB} MiB, host candidates)`);
    console.log(`# network relay ${r.mbps.toFixed(1)} MB/s (${SIZE / MiB} MiB, through coturn)`);
    await e2e.closeAll();
  });

  test('an expired TURN credential is refused (no relay candidate); a fresh one gathers one', async () => {
    const ctx = await e2e.context();
    try {
      const page = await ctx.newPage();
      await page.goto(e2e.base + '/');
      const now = Math.floor(Date.now() / 1000);
      const gather = (c: { username: string; credential: string }) =>
        page.evaluate(
          async ({ urls, username, credential }) => {
            const pc = new RTCPeerConnection({
              iceServers: [{ urls, username, credential }],
              iceTransportPolicy: 'relay',
            });
            const types: string[] = [];
            const errors: number[] = [];
            pc.onicecandidate = (e) => {
              if (e.candidate?.type) types.push(e.candidate.type);
            };
            pc.onicecandidateerror = (e) => errors.push(e.errorCode);
            pc.createDataChannel('probe');
            const complete = new Promise<boolean>((res) => {
              const t = setTimeout(() => res(false), 20_000);
              pc.onicegatheringstatechange = () => {
                if (pc.iceGatheringState === 'complete') {
                  clearTimeout(t);
                  res(true);
                }
              };
            });
            await pc.setLocalDescription();
            const done = await complete;
            pc.close();
            return { types, errors, done };
          },
          { urls: `turn:127.0.0.1:${turnPort}?transport=udp`, ...c },
        );
      const expired = await gather(credential(now - 3600));
      const fresh = await gather(credential(now + 600));
      console.log(
        `# network turn credentials: expired → ${JSON.stringify(expired)}, fresh → types ${JSON.stringify(fresh.types)}`,
      );
      assert.ok(expired.done, 'gathering with the expired credential completed');
      assert.deepEqual(
        expired.types.filter((t) => t === 'relay'),
        [],
        'no relay candidate with an expired credential',
      );
      assert.ok(fresh.types.includes('relay'), 'a fresh credential gathers a relay candidate');
    } finally {
      await ctx.close();
    }
  });

  test('relay fallback: a direct link forced degraded switches to relay, the remote follows, completes', async () => {
    const p = await linkedPair(e2e, [join(e2e.dir, 'data.bin')], {
      recvQuery: `rate=${4 * MiB}`, // long enough to switch mid-transfer
      // the receiver starts without TURN (so on host/host); a relay reaches a relay here, not
      // a loopback host (see directFirst): the sender follows the switch (asserted below)
      setup: (page, role) => (role === 'receiver' ? directFirst(page, role) : undefined),
    });
    assert.notEqual(
      await shownPath(p.receiver),
      'relay',
      `starts on a direct path: ${JSON.stringify(await linksOf(p.receiver))}`,
    );
    await p.receiver.getByTestId('accept').click({ timeout: 60_000 });
    await e2e.poll(
      () =>
        p.receiver.evaluate(
          () =>
            (window as unknown as { __p2p: { stats: { bytesReceived: number } } }).__p2p.stats
              .bytesReceived,
        ),
      (b) => b > 0,
      60_000,
      'first bytes',
    );
    // test hook: the receiver's monitor reports every link degraded (as a bad direct path would)
    const setDegraded = (on: boolean) =>
      p.receiver.evaluate((on) => {
        type L = { monitor: { forceDegraded: boolean } };
        const s = (window as unknown as { __p2p: { session: { mesh: { links: Map<string, L> } } } })
          .__p2p.session;
        for (const l of s.mesh.links.values()) l.monitor.forceDegraded = on;
      }, on);
    await setDegraded(true);
    const t0 = Date.now();
    const types = await e2e
      .poll(
        () => selectedCandidateTypes(p.receiver),
        (t) => t.length > 0 && t.every((x) => x.local === 'relay'),
        60_000,
        'receiver switched to a relay candidate',
      )
      .catch(async (e: Error) => {
        const dump = {
          receiver: [await linksOf(p.receiver), await candidateDump(p.receiver)],
          sender: [await linksOf(p.sender), await candidateDump(p.sender)],
        };
        throw new Error(`${e.message}\n${JSON.stringify(dump, null, 1)}`);
      });
    await setDegraded(false);
    // the remote followed the switch (its answer gathered under 'relay') and has relay
    // candidates: without that, Chromium's gathering stopped at the first strongly connected
    // host pair before its TURN allocation finished, and this switch failed 1 run in 3
    const sender = (await linksOf(p.sender)) as { relayMirrors: number; iceErrors: string[] }[];
    assert.ok(
      sender.length === 1 && sender[0]!.relayMirrors >= 1,
      `the sender followed the relay switch: ${JSON.stringify(sender)}`,
    );
    const senderLocal = await localCandidateTypes(p.sender);
    assert.ok(senderLocal.includes('relay'), `sender's relay candidates: ${senderLocal}`);
    console.log(
      `# network fallback: relay after ${((Date.now() - t0) / 1000).toFixed(1)} s degraded, pair ${JSON.stringify(types)}`,
    );
    await waitAllDone(p.receiver, 1, 240_000);
    const { sha } = await saveAndHash(p.receiver, 'data.bin');
    assert.equal(sha, fileHash, 'SHA-256 after the switch to relay');
    await uiPath(p.receiver, 'relay');
    await e2e.closeAll();
  });
});
