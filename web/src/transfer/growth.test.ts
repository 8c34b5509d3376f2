import { describe, expect, it } from 'vitest';
import { fromBase64Url } from '../crypto/bytes';
import { deriveFileKey, importRoomKey } from '../crypto/keys';
import { MemSink, pattern, seederFor, until } from '../testing/testkit';
import { Downloader, MAX_PIECES_AHEAD_OF_HASHES } from './downloader';
import { manifestChange } from './growth';
import { hashPieces } from './hash-pieces';
import { describeFile } from './hashing';
import { newStats } from './stats';
import type { FileEntry, Manifest } from './manifest';
import { PIECE_SIZE } from './pieces';
import type { SeedFile } from './seeder';
import { blobSource } from './source';

async function offered(size: number, seed = 5) {
  const data = pattern(size, seed);
  const entry = await describeFile({ blob: new Blob([data]), name: 'a.bin', path: 'a.bin' });
  const keys = await importRoomKey(new Uint8Array(32).fill(9));
  const key = await deriveFileKey(keys, entry.id);
  return { data, entry, key };
}

/** The version of `full` a sender publishes with `n` hashes in (root only when all are). */
function version(full: FileEntry, n: number, seq: number): Manifest {
  const pieces = full.pieces.slice(0, n);
  return {
    v: 2,
    seq,
    files: [{ ...full, pieces, root: n === full.pieces.length ? full.root : '' }],
  };
}

describe('manifest growth', () => {
  it('adopts only newer versions that keep every hash, file and root of the held one', async () => {
    const { entry } = await offered(5 * PIECE_SIZE);
    const held = version(entry, 2, 3);
    expect(manifestChange(held, version(entry, 4, 4))).toBe('grows');
    expect(manifestChange(held, version(entry, 5, 9))).toBe('grows');
    expect(manifestChange(held, version(entry, 2, 4))).toBe('grows'); // same hashes, newer
    expect(manifestChange(held, version(entry, 4, 3))).toBe('stale');
    expect(manifestChange(held, version(entry, 4, 2))).toBe('stale');
    // shrinking prefix
    expect(manifestChange(held, version(entry, 1, 4))).toBe('conflict');
    // a different hash inside the held prefix
    const other = version(entry, 3, 4);
    other.files[0]!.pieces[1] = entry.pieces[4]!;
    expect(manifestChange(held, other)).toBe('conflict');
    // a changed file
    const bigger = version(entry, 3, 4);
    bigger.files[0]!.size += 1;
    expect(manifestChange(held, bigger)).toBe('conflict');
    // a root, once set, never changes
    const done = version(entry, 5, 5);
    const reRooted = version(entry, 5, 6);
    reRooted.files[0]!.root = entry.pieces[0]!;
    expect(manifestChange(done, reRooted)).toBe('conflict');
    // files may be appended, never removed; plain never switches
    const { entry: second } = await offered(10, 6);
    const two: Manifest = {
      ...version(entry, 3, 4),
      files: [...version(entry, 3, 4).files, second],
    };
    expect(manifestChange(held, two)).toBe('adds');
    expect(manifestChange(two, { ...version(entry, 3, 5) })).toBe('conflict');
    expect(manifestChange(held, { ...version(entry, 3, 4), plain: true })).toBe('conflict');
  });

  it('the worker loop hashes every piece like describeFile', async () => {
    const size = 9 * PIECE_SIZE + 77; // more than one read of HASH_READ_BYTES
    const { data, entry } = await offered(size);
    const got: Uint8Array[] = [];
    await hashPieces(new Blob([data]), PIECE_SIZE, (from, hashes) => {
      expect(from).toBe(got.length);
      for (let i = 0; 32 * i < hashes.length; i++) got.push(hashes.slice(32 * i, 32 * i + 32));
    });
    expect(got.map((h) => [...h])).toEqual(entry.pieces.map((p) => [...fromBase64Url(p)]));
  });
});

function sourceOf(file: SeedFile) {
  const files = [file];
  return blobSource(() => files);
}

/** Megabytes through in-memory links: slow on a loaded 2-core machine (no speed is asserted). */
const SLOW_MS = 60_000;

describe('download while the sender hashes', { timeout: 2 * SLOW_MS }, () => {
  it('holds pieces that came before their hash unwritten, checks them once the hash arrives', async () => {
    const n = 6;
    const { data, entry, key } = await offered(n * PIECE_SIZE);
    const sink = new MemSink(version(entry, n, 9));
    const stats = newStats();
    const dl = new Downloader(version(entry, 0, 1), [key], sink, stats);
    seederFor(dl, sourceOf({ entry, blob: new Blob([data]), key }), 'sender');
    dl.accept();
    // with no hash known, only the first pieces are fetched, and none is written or counted
    // (bytesReceived counts ciphertext: 16 bytes of GCM tag per block on top)
    const ahead = MAX_PIECES_AHEAD_OF_HASHES * PIECE_SIZE;
    await until(() => stats.bytesReceived >= ahead, SLOW_MS);
    await until(() => Object.keys(dl.outstanding()).length === 0, SLOW_MS);
    expect(stats.bytesReceived).toBeLessThan(ahead + PIECE_SIZE / 2);
    expect(sink.writes).toBe(0);
    expect(dl.files[0]!.have.count()).toBe(0);
    // 5 hashes: the held pieces are verified and written, and more are asked for
    dl.extend(version(entry, 5, 2));
    await until(() => dl.files[0]!.have.count() === 5, SLOW_MS);
    expect(dl.files[0]!.state).toBe('transferring');
    dl.extend(version(entry, n, 3));
    await until(() => dl.files[0]!.state === 'done', SLOW_MS);
    expect(Buffer.compare(sink.data.get(entry.id)!, data)).toBe(0);
    expect(stats.piecesFailed).toBe(0);
    expect(stats.bytesReceived).toBeLessThan((n + 0.5) * PIECE_SIZE); // nothing fetched twice
  });

  it('a piece that does not match its later hash is dropped and fetched again', async () => {
    const n = 3;
    const { data, entry, key } = await offered(n * PIECE_SIZE);
    const wrong = data.slice();
    wrong[10] ^= 1; // piece 0 differs, still encrypted with the file key (a lying key holder)
    const sink = new MemSink(version(entry, n, 9));
    const stats = newStats();
    const dl = new Downloader(version(entry, 0, 1), [key], sink, stats);
    const liar = seederFor(dl, sourceOf({ entry, blob: new Blob([wrong]), key }), 'liar');
    dl.accept();
    await until(() => stats.bytesReceived >= n * PIECE_SIZE, SLOW_MS);
    expect(sink.writes).toBe(0);
    dl.extend(version(entry, n, 2));
    await until(() => stats.piecesFailed === 1 && dl.files[0]!.have.count() === 2, SLOW_MS);
    expect(stats.fromPeers['liar']!.piecesFailed).toBe(1);
    liar.leave();
    seederFor(dl, sourceOf({ entry, blob: new Blob([data]), key }), 'sender');
    dl.pump();
    await until(() => dl.files[0]!.state === 'done', SLOW_MS);
    expect(Buffer.compare(sink.data.get(entry.id)!, data)).toBe(0);
  });
});
