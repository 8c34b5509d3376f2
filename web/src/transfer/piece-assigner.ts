/**
 * Which seeder fetches which piece. Sequential-first: pieces whose seeder left or failed get one
 * first, then missing pieces in file order, each to the best seeder that announced it and has room
 * (swarm.ts `pickSeeder`: measured quality and load); a seeder that sent a bad copy of a piece is
 * asked for that piece only when no one else has it.
 */
import { chooseBlockSize } from './blocksize';
import type { DownloadFile } from './download-file';
import type { Manifest } from './manifest';
import { type PieceJobs, pieceKey } from './piece-jobs';
import { pieceLength } from './pieces';
import { windowBlocks } from './pipeline';
import { type Candidate, pickSeeder, type Swarm } from './swarm';

/** Pieces looked at past the first missing one when the seeders holding it are all busy. */
export const LOOKAHEAD_PIECES = 64;

export class PieceAssigner {
  /** seeders that sent a bad copy of a piece (that piece is asked of others first) */
  private readonly avoid = new Map<string, Set<string>>();

  constructor(
    private readonly jobs: PieceJobs,
    private readonly swarm: Swarm,
  ) {}

  /** Seeder `id` sent a bad copy of piece p of file f: ask others for it first. */
  avoidFor(f: number, p: number, id: string): void {
    const k = pieceKey(f, p);
    let set = this.avoid.get(k);
    if (!set) this.avoid.set(k, (set = new Set()));
    set.add(id);
  }

  /**
   * Gives pieces (orphaned ones first, then new ones in order) to the best seeder holding them.
   * `wanted`: files being fetched; `askable`: whether a piece may be asked for yet.
   */
  assign(
    files: readonly DownloadFile[],
    manifest: Manifest,
    wanted: (f: number) => boolean,
    askable: (f: number, p: number) => boolean,
  ): void {
    for (const job of this.jobs.values()) {
      if (job.owner || job.writing || !wanted(job.f)) continue;
      if (job.gaps.length === 0 && job.next >= job.len) continue;
      const pick = this.pick(job.f, job.p, job.len, job.len - job.got);
      if (pick) job.owner = pick;
    }
    for (const f of files) {
      if (!wanted(f.index)) continue;
      const entry = manifest.files[f.index]!;
      let looked = 0;
      for (let p = f.have.nextMissing(0); p !== -1; p = f.have.nextMissing(p + 1)) {
        if (!askable(f.index, p)) break;
        if (this.jobs.has(f.index, p)) continue;
        if (looked++ >= LOOKAHEAD_PIECES) break;
        const len = pieceLength(entry.size, entry.pieceSize, p);
        const pick = this.pick(f.index, p, len, len);
        if (pick) this.jobs.start(f.index, p, len, pick);
      }
    }
  }

  private pick(f: number, p: number, pieceLen: number, bytes: number) {
    return pickSeeder(this.candidates(f, p, pieceLen), bytes, this.avoid.get(pieceKey(f, p)));
  }

  /** The seeders holding piece f:p, and whether each could take it now. */
  private candidates(f: number, p: number, pieceLen: number): Candidate[] {
    const out: Candidate[] = [];
    for (const peer of this.swarm.peers.values()) {
      if (!peer.link.open || !peer.holds(f, p)) continue;
      const queued = this.jobs.backlog(peer);
      const m = peer.quality.measure(peer.link.health?.());
      const block = chooseBlockSize(m, peer.link.maxMessageSize);
      // a seeder takes another piece while what it owes is less than its window (or one piece)
      const room = queued < Math.max(windowBlocks(m, block) * block, pieceLen);
      out.push({ peer, queuedBytes: queued, room });
    }
    return out;
  }
}
