/**
 * Receiver side: fetches the missing pieces of accepted files from every seeder in the swarm.
 * Sequential-first: pieces are taken in file order; each piece is assigned to one seeder that
 * announced it, chosen by measured quality and load (swarm.ts `pickSeeder`), and its blocks are
 * requested from that seeder through a per-connection window sized from bandwidth × rtt
 * (pipeline.ts) with a block size from rtt and throughput (blocksize.ts). Each piece is decrypted
 * block by block, checked against its SHA-256 and written to a sink; a bad piece is dropped,
 * blamed on its seeder (demoted, excluded after repeated bad pieces) and fetched again, from
 * someone else when anyone else has it. A seeder that leaves or times out costs only its
 * outstanding requests, which go to another seeder.
 * The manifest may still be growing (the sender hashes while it serves, growth.ts): a piece is
 * asked for only when its hash is known or within MAX_PIECES_AHEAD_OF_HASHES of the known ones;
 * a piece that arrives before its hash waits, whole in memory and unwritten, until a newer
 * manifest brings the hash (extend()), and is checked then.
 */
import { fromBase64Url } from '../crypto/bytes';
import { decryptBlock } from '../crypto/keys';
import { chooseBlockSize, type LinkMeasure, nextBlockLength } from './blocksize';
import { peerCounters, type TransferStats } from './stats';
import { type FileEntry, type Manifest, rootHash, sha256 } from './manifest';
import { Bitfield, pieceCount, pieceLength, verifiedBytes } from './pieces';
import { requestTimeoutMs, windowBlocks } from './pipeline';
import { canTransition, type FileEvent, type FileState, transition } from './state';
import { type Candidate, pickSeeder, Swarm, type SwarmPeer } from './swarm';
import { decodeBlock, encodeControl, MAX_REQS_PER_FRAME } from './wire';

export interface PieceSink {
  /** writes verified bytes at an absolute offset of file `fileId` (may take over `data`'s buffer) */
  write(fileId: string, offset: number, data: Uint8Array): Promise<void>;
  /**
   * All pieces are in, each verified against its hash before it was written: make the stored file
   * durable and close it. False when the store does not hold the whole file (it is fetched again).
   */
  finish(fileIndex: number): Promise<boolean>;
}

export interface DownloadFile {
  index: number;
  state: FileState;
  accepted: boolean;
  have: Bitfield;
  bytes: number;
  error?: string;
}

interface Range {
  o: number;
  n: number;
}

/** A piece being fetched. */
interface PieceJob {
  f: number;
  p: number;
  len: number;
  buf: Uint8Array;
  /** bytes of the piece accounted for (arrived, good or bad) */
  got: number;
  /** first offset never asked for */
  next: number;
  /** ranges asked for once and lost (seeder left, timeout, reject): to ask again */
  gaps: Range[];
  /** the seeder its remaining blocks are asked of (null: to be chosen again) */
  owner: SwarmPeer | null;
  /** a block failed authentication: whom to blame */
  badFrom: Set<string>;
  contributors: Set<string>;
  /** verified and being written: nothing more to ask */
  writing: boolean;
  /** every block arrived and authenticated, but the manifest has no hash for it yet */
  awaitingHash: boolean;
}

interface BlockRequest {
  r: number;
  job: PieceJob;
  o: number;
  n: number;
  peer: SwarmPeer;
  sentAt: number;
  deadline: number;
  /** bytes outstanding on the connection when asked (this one included) */
  bytesAhead: number;
}

export interface DownloaderOptions {
  onChange?: (fileIndex: number) => void;
  /** a piece got verified and stored (persist the bitfield, announce `have`) */
  onPiece?: (fileIndex: number, piece: number) => void;
  /** storing a file failed (a write or the final flush): the file is failed, nothing more asked */
  onStorageError?: (fileIndex: number, error: unknown) => void;
  /** QoS: at most this many bytes per second requested (0/undefined: unlimited) */
  maxBytesPerSec?: number;
  /** injectable clock (unit tests) */
  now?: () => number;
}

/** Pieces looked at past the first missing one when the seeders holding it are all busy. */
export const LOOKAHEAD_PIECES = 64;
/**
 * Pieces past the last one whose hash is known that may be asked for (they wait for their hash
 * in memory: at most this many MiB held unverified).
 */
export const MAX_PIECES_AHEAD_OF_HASHES = 4;
/** How often outstanding requests are checked against their deadline. */
export const TIMEOUT_SWEEP_MS = 1000;

const key = (f: number, p: number) => `${f}:${p}`;

export class Downloader {
  readonly files: DownloadFile[];
  private readonly jobs = new Map<string, PieceJob>();
  private readonly reqs = new Map<number, BlockRequest>();
  /** per seeder: requests and bytes outstanding */
  private readonly load = new Map<string, { count: number; bytes: number }>();
  /** seeders that sent a bad copy of a piece (that piece is asked of others first) */
  private readonly avoid = new Map<string, Set<string>>();
  private finishing = new Set<number>();
  private budgetStart = 0;
  private budgetBytes = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(
    public manifest: Manifest,
    readonly fileKeys: (CryptoKey | null)[],
    private readonly sink: PieceSink,
    private readonly stats: TransferStats,
    have: (Bitfield | undefined)[] = [],
    private readonly opts: DownloaderOptions = {},
    readonly swarm: Swarm = new Swarm(),
  ) {
    this.now = opts.now ?? Date.now;
    this.files = manifest.files.map((e, index) => {
      const n = pieceCount(e.size, e.pieceSize);
      const bf = have[index] && have[index].length === n ? have[index] : new Bitfield(n);
      return {
        index,
        state: 'waiting' as FileState,
        accepted: false,
        have: bf,
        bytes: verifiedBytes(e.size, e.pieceSize, bf),
      };
    });
  }

  /**
   * A newer manifest of the same files with more piece hashes (growth.ts says 'grows'): pieces
   * waiting for their hash are checked now, and more pieces may be asked for.
   */
  extend(m: Manifest): void {
    this.manifest = m;
    for (const job of [...this.jobs.values()]) {
      if (!job.awaitingHash || this.manifest.files[job.f]!.pieces[job.p] === undefined) continue;
      job.awaitingHash = false;
      void this.completePiece(job).then(() => this.pump());
    }
    for (const f of this.files) this.maybeFinish(f);
    this.pump();
  }

  /** Whether piece p of file f may be asked for now (its hash known, or close enough). */
  private askable(f: number, p: number): boolean {
    if (this.manifest.plain) return true;
    return p < this.manifest.files[f]!.pieces.length + MAX_PIECES_AHEAD_OF_HASHES;
  }

  /** Stops timers; outstanding requests are forgotten (a newer downloader takes over). */
  close(): void {
    this.closed = true;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.pumpTimer = null;
    this.sweepTimer = null;
  }

  accept(indices?: number[]): void {
    for (const f of this.files) {
      if (indices && !indices.includes(f.index)) continue;
      if (f.accepted) continue;
      f.accepted = true;
      if (f.state === 'waiting') this.fire(f, 'start');
      this.maybeFinish(f);
    }
    this.pump();
  }

  pause(i: number): void {
    const f = this.files[i];
    if (!f || !canTransition(f.state, 'pause')) return;
    this.fire(f, 'pause');
    this.dropFile(i);
  }

  resume(i: number): void {
    const f = this.files[i];
    if (!f || f.state !== 'paused') return;
    this.fire(f, 'resume');
    this.maybeFinish(f);
    this.pump();
  }

  cancel(i: number): void {
    const f = this.files[i];
    if (!f || !canTransition(f.state, 'cancel')) return;
    f.error = 'cancelled';
    this.fire(f, 'cancel');
    this.dropFile(i);
  }

  totals(): { size: number; bytes: number } {
    let size = 0;
    let bytes = 0;
    for (const f of this.files) {
      if (!f.accepted) continue;
      size += this.manifest.files[f.index]!.size;
      bytes += f.bytes;
    }
    return { size, bytes };
  }

  /** Outstanding requests per seeder (debugging, tests). */
  outstanding(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, l] of this.load) if (l.count > 0) out[id] = l.count;
    return out;
  }

  /** A seeder left: its outstanding requests go back to be asked of others. */
  peerLeft(id: string): void {
    for (const req of [...this.reqs.values()]) if (req.peer.id === id) this.lose(req);
    for (const job of this.jobs.values()) if (job.owner?.id === id) job.owner = null;
    this.load.delete(id);
    this.pump();
  }

  /** The seeder will not serve request r: ask someone else, and stop asking it for that piece. */
  rejected(peerId: string, r: number): void {
    const req = this.reqs.get(r);
    if (!req || req.peer.id !== peerId) return;
    req.peer.forget(req.job.f, req.job.p);
    this.lose(req);
    if (req.job.owner === req.peer) req.job.owner = null;
    this.pump();
  }

  /** A binary frame from seeder `peerId`. */
  async handleBlock(peerId: string, buf: ArrayBuffer): Promise<void> {
    const blk = decodeBlock(buf);
    if (!blk) return;
    const req = this.reqs.get(blk.h.r);
    // stale: cancelled, timed out and asked again, or from an earlier downloader
    if (!req || req.peer.id !== peerId || req.job.f !== blk.h.f || req.job.p !== blk.h.p) return;
    if (req.o !== blk.h.o) return;
    this.settle(req);
    const { job } = req;
    const now = this.now();
    req.peer.quality.block(now, now - req.sentAt, blk.payload.length, req.bytesAhead);
    const entry = this.manifest.files[job.f]!;
    let payload = blk.payload;
    this.stats.bytesReceived += payload.length;
    peerCounters(this.stats, peerId).bytes += payload.length;
    if (__TEST_BUILD__ && this.stats.corruptNextBlocks > 0) {
      this.stats.corruptNextBlocks--;
      payload = payload.slice();
      payload[payload.length >> 1]! ^= 0x5a;
    }
    const absOffset = job.p * entry.pieceSize + req.o;
    try {
      const fileKey = this.fileKeys[job.f] ?? null;
      const plain = fileKey
        ? await decryptBlock(fileKey, entry.id, job.p, absOffset, payload)
        : payload;
      if (plain.length !== req.n) throw new Error('block length differs from the request');
      job.buf.set(plain, req.o);
      job.contributors.add(peerId);
    } catch {
      job.badFrom.add(peerId);
    }
    job.got += req.n;
    if (job.got === job.len) await this.completePiece(job);
    this.pump();
  }

  private async completePiece(job: PieceJob): Promise<void> {
    const k = key(job.f, job.p);
    if (this.jobs.get(k) !== job || job.writing) return;
    const entry = this.manifest.files[job.f]!;
    const f = this.files[job.f]!;
    let ok = job.badFrom.size === 0;
    if (ok && !this.manifest.plain && entry.pieces[job.p] === undefined) {
      job.awaitingHash = true; // extend() checks it when the hash arrives
      return;
    }
    if (ok && !this.manifest.plain) {
      const h = await sha256(job.buf);
      const want = fromBase64Url(entry.pieces[job.p]!);
      ok = h.every((b, i) => b === want[i]);
    }
    if (!ok) {
      // authentication names the seeder of the bad block; a hash mismatch all who sent blocks
      this.blame(k, job.badFrom.size > 0 ? job.badFrom : job.contributors);
      this.jobs.delete(k);
      this.stats.piecesFailed++;
      return;
    }
    job.writing = true;
    try {
      await this.sink.write(entry.id, job.p * entry.pieceSize, job.buf);
    } catch (e) {
      this.jobs.delete(k);
      this.storageFailed(f, e);
      return;
    }
    // stays a job until recorded, so pump() does not ask for it again meanwhile
    this.jobs.delete(k);
    if (f.have.length !== pieceCount(entry.size, entry.pieceSize) || f.have.has(job.p)) return;
    f.have.set(job.p);
    f.bytes += job.len;
    this.stats.bytesVerified += job.len;
    this.stats.piecesVerified++;
    for (const id of job.contributors) peerCounters(this.stats, id).pieces++;
    this.opts.onPiece?.(job.f, job.p);
    this.opts.onChange?.(job.f);
    this.maybeFinish(f);
  }

  private blame(pieceKey: string, who: Iterable<string>): void {
    let set = this.avoid.get(pieceKey);
    if (!set) this.avoid.set(pieceKey, (set = new Set()));
    for (const id of who) {
      set.add(id);
      const peer = this.swarm.peers.get(id);
      peer?.quality.badPiece();
      const c = peerCounters(this.stats, id);
      c.piecesFailed++;
      if (peer?.quality.excluded && !c.excluded) {
        c.excluded = true;
        // its pieces and outstanding blocks go to others now
        for (const req of [...this.reqs.values()]) if (req.peer === peer) this.lose(req);
        for (const job of this.jobs.values()) if (job.owner === peer) job.owner = null;
      }
    }
  }

  private maybeFinish(f: DownloadFile): void {
    if (f.state !== 'transferring' || !f.have.complete() || this.finishing.has(f.index)) return;
    // the root comes with the last hash; without it the file cannot be checked yet
    if (!this.manifest.plain && this.manifest.files[f.index]!.root === '') return;
    this.finishing.add(f.index);
    void this.finishFile(f).finally(() => {
      this.finishing.delete(f.index);
      this.opts.onChange?.(f.index);
      this.pump();
    });
  }

  /**
   * Every piece was checked against its hash before it was stored, so the file is checked by its
   * root over those hashes, with no second pass over the stored bytes; the store then closes it.
   */
  private async finishFile(f: DownloadFile): Promise<void> {
    const entry = this.manifest.files[f.index]!;
    if (!this.manifest.plain && !(await rootMatches(entry))) {
      // signed by the sender yet inconsistent: fetching again would give the same bytes
      f.error = "the sender's piece hashes do not match the file's root hash";
      this.fire(f, 'fail');
      return;
    }
    let stored: boolean;
    try {
      stored = await this.sink.finish(f.index);
    } catch (e) {
      this.storageFailed(f, e);
      return;
    }
    if (stored) {
      this.fire(f, 'complete');
      return;
    }
    // the store lost pieces it had taken: start that file over
    f.error = 'the stored file is incomplete; fetching again';
    f.have = new Bitfield(f.have.length);
    f.bytes = 0;
    this.opts.onPiece?.(f.index, -1);
  }

  /** A piece (or the file's last flush) could not be stored: the file fails, loudly. */
  private storageFailed(f: DownloadFile, e: unknown): void {
    if (!canTransition(f.state, 'fail')) return;
    f.error = `could not store the file: ${e instanceof Error ? e.message : String(e)}`;
    this.fire(f, 'fail');
    this.dropFile(f.index);
    this.opts.onStorageError?.(f.index, e);
  }

  private dropFile(i: number): void {
    for (const req of [...this.reqs.values()]) if (req.job.f === i) this.settle(req);
    for (const [k, job] of this.jobs) if (job.f === i && !job.writing) this.jobs.delete(k);
    const msg = encodeControl({ t: 'cancel', f: i });
    for (const peer of this.swarm.peers.values()) if (peer.link.open) peer.link.send(msg);
    this.pump();
  }

  private fire(f: DownloadFile, ev: FileEvent): void {
    f.state = transition(f.state, ev);
    this.opts.onChange?.(f.index);
  }

  /** A request is answered or given up: it no longer loads its seeder. */
  private settle(req: BlockRequest): void {
    if (!this.reqs.delete(req.r)) return;
    const l = this.load.get(req.peer.id);
    if (l) {
      l.count--;
      l.bytes -= req.n;
      if (l.count <= 0) {
        this.load.delete(req.peer.id);
        req.peer.quality.idle(this.now());
      }
    }
  }

  /** A request will not be answered: its range is asked again (of whoever owns the piece next). */
  private lose(req: BlockRequest): void {
    this.settle(req);
    if (this.jobs.get(key(req.job.f, req.job.p)) === req.job)
      req.job.gaps.push({ o: req.o, n: req.n });
  }

  private sweep(): void {
    const now = this.now();
    let lost = false;
    for (const req of [...this.reqs.values()]) {
      if (now < req.deadline) continue;
      req.peer.quality.timeout();
      peerCounters(this.stats, req.peer.id).timeouts++;
      this.lose(req);
      if (req.job.owner === req.peer) req.job.owner = null;
      lost = true;
    }
    if (lost) this.pump();
    if (this.reqs.size === 0 && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = null;
    }
  }

  private loadOf(id: string): { count: number; bytes: number } {
    let l = this.load.get(id);
    if (!l) this.load.set(id, (l = { count: 0, bytes: 0 }));
    return l;
  }

  /** Bytes asked of a seeder (assigned pieces) that have not arrived yet. */
  private backlog(peer: SwarmPeer): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.owner === peer) n += job.len - job.got;
    return n;
  }

  /** The seeders holding piece f:p, and whether each could take it now. */
  private candidates(f: number, p: number, pieceLen: number): Candidate[] {
    const out: Candidate[] = [];
    for (const peer of this.swarm.peers.values()) {
      if (!peer.link.open || !peer.holds(f, p)) continue;
      const queued = this.backlog(peer);
      const m = peer.quality.measure(peer.link.health?.());
      const block = chooseBlockSize(m, peer.link.maxMessageSize);
      // a seeder takes another piece while what it owes is less than its window (or one piece)
      const room = queued < Math.max(windowBlocks(m, block) * block, pieceLen);
      out.push({ peer, queuedBytes: queued, room });
    }
    return out;
  }

  private wanted(f: DownloadFile): boolean {
    return f.accepted && f.state === 'transferring';
  }

  /** Gives pieces (orphaned ones first, then new ones in order) to the best seeder holding them. */
  private assign(): void {
    for (const job of this.jobs.values()) {
      if (job.owner || job.writing || !this.wanted(this.files[job.f]!)) continue;
      if (job.gaps.length === 0 && job.next >= job.len) continue;
      const pick = pickSeeder(
        this.candidates(job.f, job.p, job.len),
        job.len - job.got,
        this.avoid.get(key(job.f, job.p)),
      );
      if (pick) job.owner = pick;
    }
    for (const f of this.files) {
      if (!this.wanted(f)) continue;
      const entry = this.manifest.files[f.index]!;
      let looked = 0;
      for (let p = f.have.nextMissing(0); p !== -1; p = f.have.nextMissing(p + 1)) {
        if (!this.askable(f.index, p)) break;
        if (this.jobs.has(key(f.index, p))) continue;
        if (looked++ >= LOOKAHEAD_PIECES) break;
        const len = pieceLength(entry.size, entry.pieceSize, p);
        const pick = pickSeeder(
          this.candidates(f.index, p, len),
          len,
          this.avoid.get(key(f.index, p)),
        );
        if (!pick) continue;
        this.jobs.set(key(f.index, p), {
          f: f.index,
          p,
          len,
          buf: new Uint8Array(len),
          got: 0,
          next: 0,
          gaps: [],
          owner: pick,
          badFrom: new Set(),
          contributors: new Set(),
          writing: false,
          awaitingHash: false,
        });
      }
    }
  }

  /** Rate limit: true (and a later pump scheduled) when the requested bytes are ahead of the rate. */
  private overBudget(): boolean {
    const rate = this.opts.maxBytesPerSec;
    if (!rate) return false;
    const now = this.now();
    if (now - this.budgetStart > 2000) {
      this.budgetStart = now - 1;
      this.budgetBytes = 0;
    }
    const allowed = ((now - this.budgetStart) / 1000) * rate + rate / 4;
    if (this.budgetBytes < allowed) return false;
    if (!this.pumpTimer) {
      const wait = Math.max(10, ((this.budgetBytes - allowed) / rate) * 1000);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, wait);
    }
    return true;
  }

  /** The next range to ask `peer` for, from the earliest piece it owns. */
  private nextRange(
    peer: SwarmPeer,
    block: number,
  ): { job: PieceJob; o: number; n: number } | null {
    for (const job of this.jobs.values()) {
      if (job.owner !== peer || job.writing || !this.wanted(this.files[job.f]!)) continue;
      const gap = job.gaps[0];
      if (gap) {
        const n = Math.min(gap.n, block);
        if (n === gap.n) job.gaps.shift();
        else job.gaps[0] = { o: gap.o + n, n: gap.n - n };
        return { job, o: gap.o, n };
      }
      if (job.next < job.len) {
        const n = nextBlockLength(job.len, job.next, block);
        const o = job.next;
        job.next += n;
        return { job, o, n };
      }
    }
    return null;
  }

  /** Fills each seeder's window with block requests (one `reqs` frame per seeder). */
  pump(): void {
    if (this.closed) return;
    this.assign();
    for (const peer of this.swarm.peers.values()) {
      const batch: [number, number, number, number, number][] = [];
      if (!peer.link.open || peer.quality.excluded) continue;
      const health = peer.link.health?.();
      const m = peer.quality.measure(health);
      const block = chooseBlockSize(m, peer.link.maxMessageSize);
      const window = windowBlocks(m, block);
      const l = this.loadOf(peer.id);
      while (l.count < window) {
        if (this.overBudget()) break;
        const next = this.nextRange(peer, block);
        if (!next) break;
        batch.push(this.request(peer, next.job, next.o, next.n, m));
        if (batch.length === MAX_REQS_PER_FRAME) this.sendBatch(peer, batch.splice(0));
      }
      this.sendBatch(peer, batch);
      if (l.count === 0) this.load.delete(peer.id);
    }
  }

  private sendBatch(peer: SwarmPeer, q: [number, number, number, number, number][]): void {
    if (q.length === 0) return;
    if (q.length === 1) {
      const [r, f, p, o, n] = q[0]!;
      peer.link.send(encodeControl({ t: 'req', r, f, p, o, n }));
    } else peer.link.send(encodeControl({ t: 'reqs', q }));
  }

  /** Records a block request; the caller sends it (batched) as [r, f, p, o, n]. */
  private request(
    peer: SwarmPeer,
    job: PieceJob,
    o: number,
    n: number,
    m: LinkMeasure,
  ): [number, number, number, number, number] {
    const l = this.loadOf(peer.id);
    const now = this.now();
    if (l.count === 0) peer.quality.busy(now);
    l.count++;
    l.bytes += n;
    this.budgetBytes += n;
    const r = this.swarm.requestId();
    this.reqs.set(r, {
      r,
      job,
      o,
      n,
      peer,
      sentAt: now,
      deadline: now + requestTimeoutMs(m, l.bytes),
      bytesAhead: l.bytes,
    });
    this.sweepTimer ??= setInterval(() => this.sweep(), TIMEOUT_SWEEP_MS);
    return [r, job.f, job.p, o, n];
  }
}

/** Whether a fully hashed file's root is the one its piece hashes give. */
async function rootMatches(e: FileEntry): Promise<boolean> {
  return (await rootHash(e.size, e.pieces.map(fromBase64Url))) === e.root;
}
