/** Multi-seeder download, seeder choice, request pipeline and block-size policy. */
import { describe, expect, it } from 'vitest';
import { deriveFileKey, importRoomKey } from '../crypto/keys';
import {
  chooseBlockSize,
  HIGH_RTT_MS,
  INITIAL_BLOCK,
  MAX_BLOCK,
  maxBlockPayload,
  MIN_BLOCK,
  nextBlockLength,
} from './blocksize';
import { Downloader } from './downloader';
import { describeFile } from './hashing';
import type { LinkHealth } from '../peer/link';
import { newStats } from './stats';
import type { Manifest } from './manifest';
import { PIECE_SIZE } from './pieces';
import {
  INITIAL_WINDOW_BLOCKS,
  MAX_REQUEST_TIMEOUT_MS,
  MAX_WINDOW_BLOCKS,
  MAX_WINDOW_BYTES,
  MIN_REQUEST_TIMEOUT_MS,
  MIN_WINDOW_BLOCKS,
  requestTimeoutMs,
  windowBlocks,
  MIN_PIPELINE_DELAY_MS,
} from './pipeline';
import { EXCLUDE_AFTER_BAD_PIECES, PeerQuality } from './quality';
import type { SeedFile } from './seeder';
import { blobSource } from './source';
import { type Candidate, pickSeeder, SwarmPeer } from './swarm';
import { MemLink, MemSink, pattern, seederFor, until } from '../testing/testkit';

const KiB = 1024;
const MB = 1e6;

async function oneFile(size: number) {
  const keys = await importRoomKey(new Uint8Array(32).fill(5));
  const data = pattern(size, 11);
  const entry = await describeFile({ blob: new Blob([data]), name: 'a.bin', path: 'a.bin' });
  const seeds: SeedFile[] = [
    { entry, blob: new Blob([data]), key: await deriveFileKey(keys, entry.id) },
  ];
  const manifest: Manifest = { v: 2, seq: 1, files: [entry] };
  return { data, seeds, manifest, keys: seeds.map((s) => s.key) };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A peer whose quality was measured as `bytesPerSec` / `rttMs`. */
function measured(id: string, bytesPerSec: number | null, rttMs: number | null = 10) {
  const p = new SwarmPeer(id, new MemLink());
  p.quality.bytesPerSec = bytesPerSec;
  p.quality.rttMs = rttMs;
  return p;
}

describe('seeder choice', () => {
  it('prefers the faster seeder when both are idle', () => {
    const fast = measured('fast', 8 * MB);
    const slow = measured('slow', 1 * MB);
    const c: Candidate[] = [
      { peer: slow, queuedBytes: 0, room: true },
      { peer: fast, queuedBytes: 0, room: true },
    ];
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('fast');
  });

  it('sends work to a slower seeder once the fast one is loaded', () => {
    const fast = measured('fast', 8 * MB);
    const slow = measured('slow', 2 * MB);
    // 8 MiB queued at 8 MB/s ≈ 1.05 s more; the idle slow one needs ≈ 0.5 s for one piece
    const c: Candidate[] = [
      { peer: fast, queuedBytes: 8 * PIECE_SIZE, room: true },
      { peer: slow, queuedBytes: 0, room: true },
    ];
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('slow');
  });

  it('demotes a seeder per bad piece and excludes it after repeated ones', () => {
    const bad = measured('bad', 8 * MB);
    const ok = measured('ok', 4 * MB);
    const c: Candidate[] = [
      { peer: bad, queuedBytes: 0, room: true },
      { peer: ok, queuedBytes: 0, room: true },
    ];
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('bad');
    bad.quality.badPiece();
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('ok');
    for (let i = 1; i < EXCLUDE_AFTER_BAD_PIECES; i++) bad.quality.badPiece();
    expect(bad.quality.excluded).toBe(true);
    expect(pickSeeder([{ peer: bad, queuedBytes: 0, room: true }], PIECE_SIZE)).toBeNull();
  });

  it('asks a seeder that sent a bad copy of this piece only when nobody else has it', () => {
    const a = measured('a', 8 * MB);
    const b = measured('b', 1 * MB);
    const both: Candidate[] = [
      { peer: a, queuedBytes: 0, room: true },
      { peer: b, queuedBytes: 0, room: true },
    ];
    expect(pickSeeder(both, PIECE_SIZE, new Set(['a']))?.id).toBe('b');
    expect(pickSeeder([both[0]!], PIECE_SIZE, new Set(['a']))?.id).toBe('a');
    // b is busy: wait for it rather than ask a again
    expect(
      pickSeeder([both[0]!, { ...both[1]!, room: false }], PIECE_SIZE, new Set(['a'])),
    ).toBeNull();
  });

  it('asks a stalled seeder (timed out) only when no sound one holds the piece', () => {
    const stuck = measured('stuck', 8 * MB);
    const slow = measured('slow', 1 * MB);
    stuck.quality.timeout();
    const c: Candidate[] = [
      { peer: stuck, queuedBytes: 0, room: true },
      { peer: slow, queuedBytes: 0, room: true },
    ];
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('slow');
    expect(pickSeeder([c[0]!], PIECE_SIZE)?.id).toBe('stuck');
    stuck.quality.block(1, 1, 1000, 1000); // it answered again
    expect(pickSeeder(c, PIECE_SIZE)?.id).toBe('stuck');
  });

  it('uses the link rtt from getStats when present', () => {
    const q = new PeerQuality();
    q.rttMs = 20;
    q.bytesPerSec = 1 * MB;
    const health: LinkHealth = {
      rttMs: 400,
      sendBytesPerSec: null,
      recvBytesPerSec: null,
      path: 'relay',
      degraded: true,
    };
    expect(q.measure(health)).toEqual({ rttMs: 400, bytesPerSec: 1 * MB, degraded: true });
    expect(q.measure(null)).toEqual({ rttMs: 20, bytesPerSec: 1 * MB, degraded: false });
    expect(q.score(0, PIECE_SIZE, health)).toBeGreaterThan(q.score(0, PIECE_SIZE, null));
  });

  it('measures throughput over busy time only, and rtt net of the queue ahead', () => {
    const q = new PeerQuality();
    q.busy(0);
    // 10 blocks of 100 kB, one every 10 ms: 10 MB/s
    for (let t = 10; t <= 300; t += 10) q.block(t, 5, 100_000, 100_000);
    expect(q.bytesPerSec).toBeGreaterThan(9 * MB);
    expect(q.bytesPerSec).toBeLessThan(11 * MB);
    q.idle(300);
    // a long idle pause is not counted as slow
    q.busy(10_000);
    for (let t = 10_010; t <= 10_300; t += 10) q.block(t, 5, 100_000, 100_000);
    expect(q.bytesPerSec).toBeGreaterThan(9 * MB);
    expect(q.rttMs).toBeLessThan(10);
  });
});

describe('block size policy', () => {
  it('stays within 16 KiB and the channel limit; Chromium (262,144) allows 262,108 bytes', () => {
    expect(maxBlockPayload(262_144)).toBe(262_108);
    expect(maxBlockPayload(1 << 30)).toBe(MAX_BLOCK);
    expect(maxBlockPayload(undefined)).toBe(64 * KiB - 36);
    expect(maxBlockPayload(1000)).toBe(MIN_BLOCK);
    const fast = { rttMs: 5, bytesPerSec: 100 * MB };
    expect(chooseBlockSize(fast, 262_144)).toBe(262_108);
    expect(chooseBlockSize(fast, 1 << 30)).toBe(256 * KiB);
    expect(chooseBlockSize({ rttMs: null, bytesPerSec: null }, 262_144)).toBe(
      Math.min(INITIAL_BLOCK, 262_108),
    );
    // 6 MB/s: a block takes 44 ms at the cap — the largest block
    expect(chooseBlockSize({ rttMs: 20, bytesPerSec: 6 * MB }, 262_144)).toBe(262_108);
  });

  it('weak links get small blocks', () => {
    const ok = chooseBlockSize({ rttMs: 20, bytesPerSec: 3 * MB }, 262_144);
    expect(ok).toBe(128 * KiB);
    expect(chooseBlockSize({ rttMs: 20, bytesPerSec: 100_000 }, 262_144)).toBe(MIN_BLOCK);
    expect(chooseBlockSize({ rttMs: HIGH_RTT_MS + 1, bytesPerSec: 3 * MB }, 262_144)).toBe(ok / 2);
    expect(
      chooseBlockSize({ rttMs: 20, bytesPerSec: 3 * MB, degraded: true }, 262_144),
    ).toBeLessThan(ok);
  });

  it('splits the rest of a piece evenly', () => {
    // 1 MiB at the Chromium cap: 5 blocks of about 205 KiB, no tiny tail
    const lens: number[] = [];
    for (let o = 0; o < PIECE_SIZE;) {
      const n = nextBlockLength(PIECE_SIZE, o, 262_108);
      lens.push(n);
      o += n;
    }
    expect(lens).toHaveLength(5);
    expect(Math.max(...lens) - Math.min(...lens)).toBeLessThanOrEqual(1);
    expect(nextBlockLength(PIECE_SIZE, 0, 128 * KiB)).toBe(128 * KiB);
    expect(nextBlockLength(1000, 0, 128 * KiB)).toBe(1000);
  });
});

describe('request pipeline', () => {
  it('sizes the window from bandwidth × delay, within bounds', () => {
    expect(windowBlocks({ rttMs: null, bytesPerSec: null }, 64 * KiB)).toBe(INITIAL_WINDOW_BLOCKS);
    // 2 MB/s × 600 ms × 2 = 2.4 MB in 128 KiB blocks → 19
    expect(windowBlocks({ rttMs: 600, bytesPerSec: 2 * MB }, 128 * KiB)).toBe(19);
    // a short rtt still covers MIN_PIPELINE_DELAY_MS: 2 MB/s × 500 ms × 2 = 2 MB → 16
    expect(windowBlocks({ rttMs: 5, bytesPerSec: 2 * MB }, 128 * KiB)).toBe(
      Math.ceil((2 * 2 * MB * MIN_PIPELINE_DELAY_MS) / 1000 / (128 * KiB)),
    );
    // a weak link: 20 kB/s × 500 ms × 2 = 20 kB → the minimum
    expect(windowBlocks({ rttMs: 300, bytesPerSec: 20_000 }, MIN_BLOCK)).toBe(MIN_WINDOW_BLOCKS);
    // huge BDP: capped by blocks and by bytes
    expect(windowBlocks({ rttMs: 2000, bytesPerSec: 1e9 }, MIN_BLOCK)).toBe(MAX_WINDOW_BLOCKS);
    expect(windowBlocks({ rttMs: 2000, bytesPerSec: 1e9 }, 256 * KiB)).toBe(
      MAX_WINDOW_BYTES / (256 * KiB),
    );
  });

  it('times requests out after a multiple of their expected time, within bounds', () => {
    expect(requestTimeoutMs({ rttMs: 10, bytesPerSec: 10 * MB }, 1 * MB)).toBe(
      MIN_REQUEST_TIMEOUT_MS,
    );
    // 4 MB ahead at 100 kB/s = 40 s expected → capped
    expect(requestTimeoutMs({ rttMs: 10, bytesPerSec: 100_000 }, 4 * MB)).toBe(
      MAX_REQUEST_TIMEOUT_MS,
    );
    expect(requestTimeoutMs({ rttMs: 10, bytesPerSec: 1 * MB }, 5 * MB)).toBe(4 * 5010);
  });

  it('re-requests a block that timed out, from another seeder', { timeout: 10_000 }, async () => {
    const { data, seeds, manifest, keys } = await oneFile(2 * PIECE_SIZE);
    let now = 0;
    const sink = new MemSink(manifest);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, sink, stats, [], { now: () => now });
    const source = blobSource(() => seeds);
    const mute = seederFor(dl, source, 'mute');
    mute.a.open = false; // its side is gone silently: requests get no answer
    dl.accept();
    expect(Object.keys(dl.outstanding())).toEqual(['mute']);
    seederFor(dl, source, 'good');
    dl.pump();
    now = MAX_REQUEST_TIMEOUT_MS + 1;
    await until(() => dl.files[0]!.state === 'done', 8_000);
    expect(same(sink.data.get(manifest.files[0]!.id)!, data)).toBe(true);
    expect(stats.fromPeers.mute!.timeouts).toBeGreaterThan(0);
    expect(stats.fromPeers.good!.pieces).toBe(2);
  });
});

describe('multi-seeder download', () => {
  it('takes each piece from someone who has it, from several seeders', async () => {
    const { data, seeds, manifest, keys } = await oneFile(8 * PIECE_SIZE + 999);
    const sink = new MemSink(manifest);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, sink, stats);
    const source = blobSource(() => seeds);
    const front = seederFor(dl, source, 'front', (_f, p) => p < 4);
    const back = seederFor(dl, source, 'back', (_f, p) => p >= 4);
    dl.accept();
    await until(() => dl.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, data)).toBe(true);
    expect(stats.fromPeers.front!.pieces).toBe(4);
    expect(stats.fromPeers.back!.pieces).toBe(5);
    expect(front.stats.bytesSent).toBe(4 * PIECE_SIZE);
    expect(back.stats.bytesSent).toBe(4 * PIECE_SIZE + 999);
  });

  // 24 MiB through three in-memory links: about 5 s at load 70 on 2 cores (main and this branch)
  it('spreads pieces over equal seeders', { timeout: 20_000 }, async () => {
    const { seeds, manifest, keys } = await oneFile(24 * PIECE_SIZE);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, new MemSink(manifest), stats);
    const source = blobSource(() => seeds);
    for (const id of ['a', 'b', 'c']) seederFor(dl, source, id);
    dl.accept();
    await until(() => dl.files[0]!.state === 'done', 18_000);
    for (const id of ['a', 'b', 'c']) expect(stats.fromPeers[id]!.pieces).toBeGreaterThan(0);
  });

  it('demotes a seeder that sends bad pieces and fetches them elsewhere', async () => {
    const { data, seeds, manifest, keys } = await oneFile(6 * PIECE_SIZE);
    const sink = new MemSink(manifest);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, sink, stats);
    const source = blobSource(() => seeds);
    const liar = seederFor(dl, source, 'liar');
    liar.stats.corruptSentPieces = 100;
    dl.accept(); // the liar alone first: it gets the first pieces
    await until(() => stats.piecesFailed >= 1);
    const honest = seederFor(dl, source, 'honest');
    dl.pump();
    await until(() => dl.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, data)).toBe(true);
    expect(stats.fromPeers.liar!.piecesFailed).toBeGreaterThanOrEqual(1);
    expect(stats.fromPeers.liar!.pieces).toBe(0);
    expect(stats.fromPeers.honest!.pieces).toBe(6);
    expect(honest.stats.bytesSent).toBeGreaterThanOrEqual(6 * PIECE_SIZE);
  });

  it('stops asking a seeder after repeated bad pieces', async () => {
    const { seeds, manifest, keys } = await oneFile(4 * PIECE_SIZE);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, new MemSink(manifest), stats);
    const liar = seederFor(
      dl,
      blobSource(() => seeds),
      'liar',
    );
    liar.stats.corruptSentPieces = 100;
    dl.accept();
    await until(() => stats.fromPeers.liar?.excluded === true);
    const asked = () => liar.b.sent.filter((m) => typeof m === 'string' && m.includes('"req"'));
    const before = asked().length;
    await until(() => dl.outstanding().liar === undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(asked().length).toBe(before); // no request after the exclusion
  });

  it('a seeder leaving mid-piece costs only its outstanding requests', async () => {
    const { data, seeds, manifest } = await oneFile(4 * PIECE_SIZE);
    const sink = new MemSink(manifest);
    const stats = newStats();
    // unencrypted blocks (hashes still checked), so received bytes are plaintext bytes
    const dl = new Downloader(manifest, [null], sink, stats);
    const source = blobSource(() => seeds.map((s) => ({ ...s, key: null })));
    const leaver = seederFor(dl, source, 'leaver');
    dl.accept();
    // leave once some blocks (not a whole piece) arrived
    await until(() => (stats.fromPeers.leaver?.bytes ?? 0) > 0);
    leaver.leave();
    const got = stats.fromPeers.leaver!.bytes;
    const other = seederFor(dl, source, 'other');
    dl.pump();
    await until(() => dl.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, data)).toBe(true);
    // nothing already received is asked again
    expect(got).toBeLessThan(4 * PIECE_SIZE);
    expect(other.stats.bytesSent).toBe(4 * PIECE_SIZE - got);
  });

  it('a seeder without the piece rejects, and the piece is asked elsewhere', async () => {
    const { seeds, manifest, keys } = await oneFile(2 * PIECE_SIZE);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, new MemSink(manifest), stats);
    const source = blobSource(() => seeds);
    // announces everything but serves nothing (e.g. it just turned seeding off)
    const fickle = seederFor(dl, { ...source, has: () => false }, 'fickle');
    dl.accept();
    await until(() => !fickle.peer.holds(0, 0));
    seederFor(dl, source, 'steady');
    dl.pump();
    await until(() => dl.files[0]!.state === 'done');
    expect(stats.fromPeers.steady!.pieces).toBe(2);
  });
});
