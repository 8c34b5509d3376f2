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
 *
 * Parts, one job each: piece-jobs.ts (pieces in flight), piece-assigner.ts (which seeder fetches
 * which piece), request-book.ts (outstanding requests, load, deadlines), piece-check.ts (block
 * decryption, piece hash), token-bucket.ts (the `?rate=` throttle), download-file.ts (file state,
 * the PieceSink port). Why this file is still ~360 lines: it is the one place that moves a file
 * through its states (accept, pause, resume, cancel, finish) and reacts to every seeder event
 * (block, reject, leave, timeout, bad piece) by re-filling the request windows; splitting those
 * two apart would put the same piece/request state behind a second interface without a new job.
 */
import { chooseBlockSize } from './blocksize';
import { acceptedTotals, type DownloadFile, initialFiles, type PieceSink } from './download-file';
import { fromBase64Url } from '../crypto/bytes';
import { type FileEntry, type Manifest, rootHash } from './manifest';
import { PieceAssigner } from './piece-assigner';
import { addBlock, checkPiece } from './piece-check';
import { type PieceJob, PieceJobs } from './piece-jobs';
import { Bitfield, pieceCount } from './pieces';
import { windowBlocks } from './pipeline';
import { type BlockRequest, RequestBook } from './request-book';
import { canTransition, type FileEvent, transition } from './state';
import { peerCounters, type TransferStats } from './stats';
import { Swarm, type SwarmPeer } from './swarm';
import { TokenBucket } from './token-bucket';
import {
  decodeBlock,
  encodeControl,
  encodeRequests,
  MAX_REQS_PER_FRAME,
  type RequestTuple,
} from './wire';

export type { DownloadFile, PieceSink } from './download-file';
export { LOOKAHEAD_PIECES } from './piece-assigner';
export { TIMEOUT_SWEEP_MS } from './request-book';

export interface DownloaderOptions {
  onChange?: (fileIndex: number) => void;
  /** a piece got verified and stored (persist the bitfield, announce `have`) */
  onPiece?: (fileIndex: number, piece: number) => void;
  /** storing a file failed (a write or the final flush): the file is failed, nothing more asked */
  onStorageError?: (fileIndex: number, error: unknown) => void;
  /** test throttle (`?rate=`): at most this many bytes per second requested (0/undefined: unlimited) */
  maxBytesPerSec?: number;
  /** injectable clock (unit tests) */
  now?: () => number;
}

/**
 * Pieces past the last one whose hash is known that may be asked for (they wait for their hash
 * in memory: at most this many MiB held unverified).
 */
export const MAX_PIECES_AHEAD_OF_HASHES = 4;
/** The rate throttle's bucket holds this many seconds of the rate. */
const RATE_BURST_SECONDS = 0.25;
/** Shortest wait before asking again once over the rate (ms). */
const MIN_RATE_WAIT_MS = 10;

export class Downloader {
  readonly files: DownloadFile[];
  private readonly jobs = new PieceJobs();
  private readonly reqs: RequestBook;
  private readonly assigner: PieceAssigner;
  private finishing = new Set<number>();
  /** the requested bytes' rate limit (unlimited unless opts.maxBytesPerSec) */
  private readonly budget: TokenBucket;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
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
    this.assigner = new PieceAssigner(this.jobs, swarm);
    this.reqs = new RequestBook(this.now, (expired) => this.expired(expired));
    const rate = opts.maxBytesPerSec ?? 0;
    this.budget = new TokenBucket(this.now, rate, rate * RATE_BURST_SECONDS);
    this.files = initialFiles(manifest, have);
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
    this.pumpTimer = null;
    this.reqs.close();
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
    return acceptedTotals(this.files, this.manifest);
  }

  /** Outstanding requests per seeder (debugging, tests). */
  outstanding(): Record<string, number> {
    return this.reqs.outstanding();
  }

  /** A seeder left: its outstanding requests go back to be asked of others. */
  peerLeft(id: string): void {
    for (const req of this.reqs.all()) if (req.peer.id === id) this.lose(req);
    this.jobs.disown(id);
    this.reqs.forgetPeer(id);
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
    this.reqs.settle(req);
    const { job } = req;
    const now = this.now();
    req.peer.quality.block(now, now - req.sentAt, blk.payload.length, req.bytesAhead);
    let payload = blk.payload;
    this.stats.bytesReceived += payload.length;
    peerCounters(this.stats, peerId).bytes += payload.length;
    if (__TEST_BUILD__ && this.stats.corruptNextBlocks > 0) {
      this.stats.corruptNextBlocks--;
      payload = payload.slice();
      payload[payload.length >> 1]! ^= 0x5a;
    }
    const fileKey = this.fileKeys[job.f] ?? null;
    await addBlock(this.manifest, fileKey, job, req.o, req.n, payload, peerId);
    if (job.got === job.len) await this.completePiece(job);
    this.pump();
  }

  private async completePiece(job: PieceJob): Promise<void> {
    if (!this.jobs.current(job) || job.writing) return;
    const entry = this.manifest.files[job.f]!;
    const f = this.files[job.f]!;
    const verdict = await checkPiece(this.manifest, job);
    if (verdict.kind === 'no-hash') {
      job.awaitingHash = true; // extend() checks it when the hash arrives
      return;
    }
    if (verdict.kind === 'bad') {
      this.blame(job, verdict.blame);
      this.jobs.delete(job);
      this.stats.piecesFailed++;
      return;
    }
    job.writing = true;
    try {
      await this.sink.write(entry.id, job.p * entry.pieceSize, job.buf);
    } catch (e) {
      this.jobs.delete(job);
      this.storageFailed(f, e);
      return;
    }
    // stays a job until recorded, so pump() does not ask for it again meanwhile
    this.jobs.delete(job);
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

  private blame(job: PieceJob, who: Iterable<string>): void {
    for (const id of who) {
      this.assigner.avoidFor(job.f, job.p, id);
      const peer = this.swarm.peers.get(id);
      peer?.quality.badPiece();
      const c = peerCounters(this.stats, id);
      c.piecesFailed++;
      if (peer?.quality.excluded && !c.excluded) {
        c.excluded = true;
        // its pieces and outstanding blocks go to others now
        for (const req of this.reqs.all()) if (req.peer === peer) this.lose(req);
        this.jobs.disown(peer);
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
    for (const req of this.reqs.all()) if (req.job.f === i) this.reqs.settle(req);
    this.jobs.dropFile(i);
    const msg = encodeControl({ t: 'cancel', f: i });
    for (const peer of this.swarm.peers.values()) if (peer.link.open) peer.link.send(msg);
    this.pump();
  }

  private fire(f: DownloadFile, ev: FileEvent): void {
    f.state = transition(f.state, ev);
    this.opts.onChange?.(f.index);
  }

  /** A request will not be answered: its range is asked again (of whoever owns the piece next). */
  private lose(req: BlockRequest): void {
    this.reqs.settle(req);
    if (this.jobs.current(req.job)) req.job.gaps.push({ o: req.o, n: req.n });
  }

  /** Requests past their deadline: blamed on their seeder, asked again of whoever owns them next. */
  private expired(expired: BlockRequest[]): void {
    for (const req of expired) {
      req.peer.quality.timeout();
      peerCounters(this.stats, req.peer.id).timeouts++;
      this.lose(req);
      if (req.job.owner === req.peer) req.job.owner = null;
    }
    this.pump();
  }

  private wanted(f: DownloadFile): boolean {
    return f.accepted && f.state === 'transferring';
  }

  private readonly wantedFile = (f: number): boolean => this.wanted(this.files[f]!);
  private readonly askableFn = (f: number, p: number): boolean => this.askable(f, p);

  /** Rate limit: true (and a later pump scheduled) when `bytes` more would outrun the rate. */
  private overBudget(bytes: number): boolean {
    const wait = this.budget.delayFor(bytes);
    if (wait === 0) return false;
    this.pumpTimer ??= setTimeout(
      () => {
        this.pumpTimer = null;
        this.pump();
      },
      Math.max(MIN_RATE_WAIT_MS, wait),
    );
    return true;
  }

  /** Fills each seeder's window with block requests (one `reqs` frame per seeder). */
  pump(): void {
    if (this.closed) return;
    this.assigner.assign(this.files, this.manifest, this.wantedFile, this.askableFn);
    for (const peer of this.swarm.peers.values()) {
      const batch: RequestTuple[] = [];
      if (!peer.link.open || peer.quality.excluded) continue;
      const health = peer.link.health?.();
      const m = peer.quality.measure(health);
      const block = chooseBlockSize(m, peer.link.maxMessageSize);
      const window = windowBlocks(m, block);
      while (this.reqs.count(peer.id) < window) {
        if (this.overBudget(block)) break;
        const next = this.jobs.nextRange(peer, block, this.wantedFile);
        if (!next) break;
        const r = this.swarm.requestId();
        this.reqs.add(r, peer, next.job, next.o, next.n, m);
        this.budget.take(next.n);
        batch.push([r, next.job.f, next.job.p, next.o, next.n]);
        if (batch.length === MAX_REQS_PER_FRAME) this.sendBatch(peer, batch.splice(0));
      }
      this.sendBatch(peer, batch);
    }
  }

  private sendBatch(peer: SwarmPeer, q: RequestTuple[]): void {
    if (q.length > 0) peer.link.send(encodeRequests(q));
  }
}

/** Whether a fully hashed file's root is the one its piece hashes give. */
async function rootMatches(e: FileEntry): Promise<boolean> {
  return (await rootHash(e.size, e.pieces.map(fromBase64Url))) === e.root;
}
