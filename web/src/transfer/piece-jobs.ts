/**
 * The pieces a Downloader is fetching right now: for each, its buffer, which ranges are still to be
 * asked for, which seeder owns it, and who sent what (for blame). Holds no timers and sends
 * nothing; downloader.ts decides what to fetch and from whom.
 */
import { nextBlockLength } from './blocksize';
import type { SwarmPeer } from './swarm';

interface Range {
  o: number;
  n: number;
}

/** A piece being fetched. */
export interface PieceJob {
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

/** The key of piece p of file f in maps of pieces. */
export const pieceKey = (f: number, p: number) => `${f}:${p}`;

export class PieceJobs {
  private readonly jobs = new Map<string, PieceJob>();

  get(f: number, p: number): PieceJob | undefined {
    return this.jobs.get(pieceKey(f, p));
  }

  has(f: number, p: number): boolean {
    return this.jobs.has(pieceKey(f, p));
  }

  /** Whether `job` is still the one fetching its piece (not dropped, redone or recorded). */
  current(job: PieceJob): boolean {
    return this.get(job.f, job.p) === job;
  }

  values(): IterableIterator<PieceJob> {
    return this.jobs.values();
  }

  /** Starts fetching piece p of file f (`len` bytes) from `owner`. */
  start(f: number, p: number, len: number, owner: SwarmPeer): PieceJob {
    const job: PieceJob = {
      f,
      p,
      len,
      buf: new Uint8Array(len),
      got: 0,
      next: 0,
      gaps: [],
      owner,
      badFrom: new Set(),
      contributors: new Set(),
      writing: false,
      awaitingHash: false,
    };
    this.jobs.set(pieceKey(f, p), job);
    return job;
  }

  delete(job: PieceJob): void {
    if (this.current(job)) this.jobs.delete(pieceKey(job.f, job.p));
  }

  /** Forgets every piece of file f that is not being written already. */
  dropFile(f: number): void {
    for (const [k, job] of this.jobs) if (job.f === f && !job.writing) this.jobs.delete(k);
  }

  /** The pieces `peer` owned are to be given to another seeder. */
  disown(peer: SwarmPeer | string): void {
    for (const job of this.jobs.values())
      if (job.owner && (job.owner === peer || job.owner.id === peer)) job.owner = null;
  }

  /** Bytes asked of a seeder (assigned pieces) that have not arrived yet. */
  backlog(peer: SwarmPeer): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.owner === peer) n += job.len - job.got;
    return n;
  }

  /** The next range to ask `peer` for, from the earliest wanted piece it owns. */
  nextRange(
    peer: SwarmPeer,
    block: number,
    wanted: (f: number) => boolean,
  ): { job: PieceJob; o: number; n: number } | null {
    for (const job of this.jobs.values()) {
      if (job.owner !== peer || job.writing || !wanted(job.f)) continue;
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
}
