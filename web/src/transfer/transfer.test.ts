import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../crypto/bytes';
import { deriveFileKey, importRoomKey } from '../crypto/keys';
import { Downloader } from './downloader';
import { describeFile } from './hashing';
import { newStats } from './stats';
import { decodeManifest, encodeManifest, type Manifest, parseManifest } from './manifest';
import { Bitfield, BLOCK_SIZE, blocksOfPiece, PIECE_SIZE, pieceCount, pieceLength } from './pieces';
import { type SeedFile } from './seeder';
import { blobSource } from './source';
import { canTransition, transition } from './state';
import {
  decodeBlock,
  encodeBlock,
  ManifestAssembler,
  manifestFrames,
  MAX_REQS_PER_FRAME,
  parseControl,
} from './wire';
import { MemSink, pattern, seederFor, until } from '../testing/testkit';

describe('pieces and blocks', () => {
  it('splits sizes into pieces and blocks', () => {
    expect(pieceCount(0, PIECE_SIZE)).toBe(0);
    expect(pieceCount(1, PIECE_SIZE)).toBe(1);
    expect(pieceCount(PIECE_SIZE, PIECE_SIZE)).toBe(1);
    expect(pieceCount(PIECE_SIZE + 1, PIECE_SIZE)).toBe(2);
    expect(pieceLength(PIECE_SIZE + 5, PIECE_SIZE, 1)).toBe(5);
    expect(() => pieceLength(10, PIECE_SIZE, 1)).toThrow(RangeError);
    const blocks = blocksOfPiece(3 * PIECE_SIZE - 10, PIECE_SIZE, BLOCK_SIZE, 2);
    expect(blocks).toHaveLength(8);
    expect(blocks[0]).toEqual({ index: 0, offset: 2 * PIECE_SIZE, length: BLOCK_SIZE });
    expect(blocks[7]!.length).toBe(BLOCK_SIZE - 10);
    expect(blocks.reduce((a, b) => a + b.length, 0)).toBe(PIECE_SIZE - 10);
  });

  it('bitfield tracks verified pieces', () => {
    const b = new Bitfield(10);
    b.set(0);
    b.set(9);
    expect(b.has(9)).toBe(true);
    expect(b.count()).toBe(2);
    expect(b.nextMissing()).toBe(1);
    const c = new Bitfield(10, b.bits);
    expect(c.has(0) && c.has(9) && !c.has(5)).toBe(true);
    expect(() => b.set(10)).toThrow(RangeError);
  });
});

describe('state machine', () => {
  it('allows the user-visible transitions only', () => {
    expect(transition('waiting', 'start')).toBe('transferring');
    expect(transition('transferring', 'pause')).toBe('paused');
    expect(transition('paused', 'resume')).toBe('transferring');
    expect(transition('transferring', 'complete')).toBe('done');
    expect(transition('transferring', 'cancel')).toBe('failed');
    expect(transition('failed', 'retry')).toBe('transferring');
    expect(() => transition('done', 'pause')).toThrow();
    expect(() => transition('paused', 'pause')).toThrow();
    expect(canTransition('done', 'cancel')).toBe(false);
  });
});

describe('wire', () => {
  it('validates control messages', () => {
    expect(parseControl('{"t":"req","r":1,"f":0,"p":3,"o":65536,"n":16384}')).toEqual({
      t: 'req',
      r: 1,
      f: 0,
      p: 3,
      o: 65536,
      n: 16384,
    });
    expect(parseControl('{"t":"req","r":-1,"f":0,"p":3,"o":0,"n":1}')).toBeNull();
    expect(parseControl('{"t":"req","r":1,"f":0,"p":3,"o":0,"n":0}')).toBeNull();
    expect(parseControl('{"t":"req","r":1,"f":0,"p":3,"o":0,"n":262145}')).toBeNull();
    expect(parseControl('{"t":"have","f":1,"p":2}')).toEqual({ t: 'have', f: 1, p: 2 });
    expect(parseControl('{"t":"bitfield","f":0,"bits":"_w"}')).toEqual({
      t: 'bitfield',
      f: 0,
      bits: '_w',
    });
    expect(parseControl('{"t":"bitfield","f":0,"bits":"a+b/"}')).toBeNull();
    expect(parseControl('{"t":"reject","r":9}')).toEqual({ t: 'reject', r: 9 });
    // batched requests: bounded count, each entry checked like a req
    expect(parseControl('{"t":"reqs","q":[[1,0,3,0,16384],[2,0,3,16384,262144]]}')).toEqual({
      t: 'reqs',
      q: [
        [1, 0, 3, 0, 16384],
        [2, 0, 3, 16384, 262144],
      ],
    });
    expect(parseControl('{"t":"reqs","q":[]}')).toBeNull();
    expect(parseControl('{"t":"reqs","q":[[1,0,3,0,262145]]}')).toBeNull();
    expect(parseControl('{"t":"reqs","q":[[1,0,3,0]]}')).toBeNull();
    expect(parseControl('{"t":"reqs","q":[[1,0,-3,0,5]]}')).toBeNull();
    const many = Array.from({ length: MAX_REQS_PER_FRAME + 1 }, (_, i) => [i, 0, 0, 0, 1]);
    expect(parseControl(JSON.stringify({ t: 'reqs', q: many }))).toBeNull();
    expect(parseControl('{"t":"nope"}')).toBeNull();
    expect(parseControl('not json')).toBeNull();
  });

  it('block header round-trips', () => {
    const buf = encodeBlock({ r: 7, f: 2, p: 9, o: 3 << 17 }, new Uint8Array([1, 2, 3]));
    const d = decodeBlock(buf)!;
    expect(d.h).toEqual({ r: 7, f: 2, p: 9, o: 3 << 17 });
    expect([...d.payload]).toEqual([1, 2, 3]);
    expect(decodeBlock(new ArrayBuffer(4))).toBeNull();
  });

  it('chunks and reassembles a large manifest', () => {
    const json = 'x'.repeat(300_000);
    const frames = manifestFrames(5, json);
    expect(frames.length).toBe(3);
    const a = new ManifestAssembler();
    let out: string | null = null;
    for (const f of frames.reverse()) if (f.t === 'manifest') out = a.push(f);
    expect(out).toBe(json);
  });
});

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

async function makeFiles(sizes: number[], plain = false) {
  const keys = await importRoomKey(new Uint8Array(32).fill(3));
  const seeds: SeedFile[] = [];
  const datas: Uint8Array<ArrayBuffer>[] = [];
  for (const [i, size] of sizes.entries()) {
    const data = pattern(size, i + 7);
    datas.push(data);
    const entry = await describeFile({
      blob: new Blob([data]),
      name: `f${i}.bin`,
      path: `d/f${i}.bin`,
    });
    seeds.push({
      entry,
      blob: new Blob([data]),
      key: plain ? null : await deriveFileKey(keys, entry.id),
    });
  }
  const manifest: Manifest = { v: 2, seq: 1, plain, files: seeds.map((s) => s.entry) };
  return { seeds, datas, manifest, keys: seeds.map((s) => s.key) };
}

let seederIds = 0;
/** One seeder holding everything, wired to `dl`. */
function wire(seeds: SeedFile[], dl: Downloader) {
  const s = seederFor(
    dl,
    blobSource(() => seeds),
    `seeder-${++seederIds}`,
  );
  dl.pump();
  return { ...s, sstats: s.stats };
}

describe('manifest', () => {
  it('round-trips and rejects unsafe entries', async () => {
    const { manifest } = await makeFiles([5, 0]);
    const back = decodeManifest(encodeManifest(manifest));
    expect(back.files.map((f) => f.path)).toEqual(['d/f0.bin', 'd/f1.bin']);
    const bad = (patch: object) =>
      parseManifest({ ...manifest, files: [{ ...manifest.files[0], ...patch }] });
    expect(() => bad({ path: '../etc/passwd' })).toThrow();
    expect(() => bad({ path: '/abs' })).toThrow();
    expect(() => bad({ name: 'a/b' })).toThrow();
    // fewer hashes than pieces is a growing manifest: then the root must still be empty
    expect(() => bad({ size: 5 * PIECE_SIZE })).toThrow(/root/);
    expect(() => bad({ size: 0 })).toThrow(/more piece hashes/);
    expect(() => bad({ root: toBase64Url(new Uint8Array(3)) })).toThrow();
    expect(() => parseManifest({ v: 1, files: [] })).toThrow(/version/);
  });
});

describe('transfer engine', () => {
  it('moves files of several sizes, encrypted and verified, including an empty one', async () => {
    const sizes = [3 * PIECE_SIZE + 12345, 0, 777];
    const { seeds, datas, manifest, keys } = await makeFiles(sizes);
    const sink = new MemSink(manifest);
    const stats = newStats();
    const dl = new Downloader(manifest, keys, sink, stats);
    const { sstats } = wire(seeds, dl);
    dl.accept();
    await until(() => dl.files.every((f) => f.state === 'done'));
    manifest.files.forEach((f, i) => expect(same(sink.data.get(f.id)!, datas[i]!)).toBe(true));
    expect(stats.bytesVerified).toBe(sizes.reduce((a, b) => a + b));
    expect(sstats.bytesSent).toBe(stats.bytesVerified);
  });

  it('re-fetches only a piece corrupted in flight', async () => {
    const { seeds, datas, manifest, keys } = await makeFiles([4 * PIECE_SIZE]);
    const sink = new MemSink(manifest);
    const stats = newStats();
    stats.corruptNextBlocks = 1;
    const dl = new Downloader(manifest, keys, sink, stats);
    const { sstats } = wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, datas[0]!)).toBe(true);
    expect(stats.piecesFailed).toBe(1);
    expect(sstats.bytesSent).toBe(5 * PIECE_SIZE); // 4 pieces + the one bad piece again
  });

  it('plain mode still catches a corrupt piece through its hash (when hashes are present)', async () => {
    const { seeds, manifest } = await makeFiles([2 * PIECE_SIZE], true);
    const stats = newStats();
    stats.corruptNextBlocks = 1;
    const dl = new Downloader({ ...manifest, plain: false }, [null], new MemSink(manifest), stats);
    wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'done');
    expect(stats.piecesFailed).toBe(1);
  });

  it('pauses, resumes, and continues from a saved bitfield without re-sending pieces', async () => {
    const { seeds, datas, manifest, keys } = await makeFiles([6 * PIECE_SIZE]);
    const sink = new MemSink(manifest);
    const dl = new Downloader(manifest, keys, sink, newStats(), [], {});
    wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.have.count() >= 2);
    dl.pause(0);
    expect(dl.files[0]!.state).toBe('paused');
    const saved = new Bitfield(6, dl.files[0]!.have.bits);
    const before = saved.count();
    expect(before).toBeLessThan(6);
    // a "reload": a new downloader from the saved bitfield, a new link
    const dl2 = new Downloader(manifest, keys, sink, newStats(), [saved], {});
    const { sstats } = wire(seeds, dl2);
    dl2.accept();
    await until(() => dl2.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, datas[0]!)).toBe(true);
    expect(sstats.bytesSent).toBe((6 - before) * PIECE_SIZE);
    dl.resume(0);
    expect(dl.files[0]!.state).toBe('transferring');
  });

  it('asks again for pieces in flight when the link changes', async () => {
    const { seeds, datas, manifest, keys } = await makeFiles([3 * PIECE_SIZE]);
    const sink = new MemSink(manifest);
    const dl = new Downloader(manifest, keys, sink, newStats());
    const first = wire(seeds, dl);
    first.a.open = false; // the first sender vanishes before answering
    dl.accept();
    await new Promise((r) => setTimeout(r, 20));
    first.leave();
    wire(seeds, dl);
    await until(() => dl.files[0]!.state === 'done');
    expect(same(sink.data.get(manifest.files[0]!.id)!, datas[0]!)).toBe(true);
  });
});

describe('storing received pieces', () => {
  it('a write that fails fails the file with its reason, and nothing more is asked', async () => {
    const { seeds, manifest, keys } = await makeFiles([8 * PIECE_SIZE]);
    const sink = new MemSink(manifest);
    let writes = 0;
    sink.write = async () => {
      if (++writes > 2) throw new Error('StorageWriteError: the browser stored 0 of 1048576 bytes');
    };
    const failed: unknown[] = [];
    const dl = new Downloader(manifest, keys, sink, newStats(), [], {
      onStorageError: (_f, e) => failed.push(e),
    });
    const { b } = wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'failed');
    expect(dl.files[0]!.error).toMatch(/could not store the file: StorageWriteError/);
    expect(failed).toHaveLength(1);
    expect(dl.outstanding()).toEqual({});
    // the seeder is told to stop, and no block is asked for after that
    const kinds = () => b.sent.map((d) => (typeof d === 'string' ? parseControl(d)?.t : 'bin'));
    expect(kinds()).toContain('cancel');
    dl.pump();
    await new Promise((r) => setTimeout(r, 20));
    expect(kinds().slice(kinds().indexOf('cancel'))).not.toContain('reqs');
    expect(kinds().slice(kinds().indexOf('cancel'))).not.toContain('req');
    expect(dl.files[0]!.have.count()).toBe(2);
  });

  it('a final flush that fails fails the file', async () => {
    const { seeds, manifest, keys } = await makeFiles([2 * PIECE_SIZE]);
    const sink = new MemSink(manifest);
    sink.finish = () => Promise.reject(new Error('QuotaExceededError: flush'));
    const failed: unknown[] = [];
    const dl = new Downloader(manifest, keys, sink, newStats(), [], {
      onStorageError: (_f, e) => failed.push(e),
    });
    wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'failed');
    expect(failed).toHaveLength(1);
  });

  it('checks the root over the verified piece hashes, without re-reading the stored file', async () => {
    const { seeds, datas, manifest, keys } = await makeFiles([3 * PIECE_SIZE + 5]);
    const sink = new MemSink(manifest);
    let finished = 0;
    sink.finish = async () => {
      finished++;
      return true; // a store that only closes the file (the OPFS worker's `finish`)
    };
    const dl = new Downloader(manifest, keys, sink, newStats());
    wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'done');
    expect(finished).toBe(1);
    expect(same(sink.data.get(manifest.files[0]!.id)!, datas[0]!)).toBe(true);
  });

  it('a root that does not match the piece hashes fails the file instead of fetching it again', async () => {
    const { seeds, manifest, keys } = await makeFiles([2 * PIECE_SIZE]);
    const wrong = { ...manifest.files[0]!, root: toBase64Url(new Uint8Array(32)) };
    const m: Manifest = { ...manifest, files: [wrong] };
    const dl = new Downloader(m, keys, new MemSink(m), newStats());
    const { sstats } = wire(seeds, dl);
    dl.accept();
    await until(() => dl.files[0]!.state === 'failed');
    expect(dl.files[0]!.error).toMatch(/do not match the file's root hash/);
    expect(sstats.bytesSent).toBe(2 * PIECE_SIZE);
  });
});

describe('rate limit', () => {
  it('caps the requested bytes per second', async () => {
    const { seeds, manifest, keys } = await makeFiles([6 * PIECE_SIZE], true);
    const dl = new Downloader(manifest, keys, new MemSink(manifest), newStats(), [], {
      maxBytesPerSec: 8 * PIECE_SIZE,
    });
    wire(seeds, dl);
    const t0 = Date.now();
    dl.accept();
    await until(() => dl.files[0]!.state === 'done');
    // 6 MiB at 8 MiB/s with a 2 MiB burst: about half a second, not instant
    expect(Date.now() - t0).toBeGreaterThan(300);
  });
});
