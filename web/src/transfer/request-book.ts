/**
 * A Downloader's outstanding block requests: what was asked of whom and when, the load each
 * seeder carries (count and bytes), and the deadline sweep that gives up on requests left
 * unanswered. Sends nothing: downloader.ts batches and sends the requests it records here.
 */
import type { LinkMeasure } from './blocksize';
import type { PieceJob } from './piece-jobs';
import { requestTimeoutMs } from './pipeline';
import type { SwarmPeer } from './swarm';

export interface BlockRequest {
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

/** How often outstanding requests are checked against their deadline. */
export const TIMEOUT_SWEEP_MS = 1000;

export class RequestBook {
  private readonly reqs = new Map<number, BlockRequest>();
  /** per seeder: requests and bytes outstanding */
  private readonly load = new Map<string, { count: number; bytes: number }>();
  private sweepTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly now: () => number,
    /** requests past their deadline (still outstanding: the callback gives them up) */
    private readonly onExpired: (expired: BlockRequest[]) => void,
  ) {}

  get(r: number): BlockRequest | undefined {
    return this.reqs.get(r);
  }

  /** Every outstanding request (a copy: callers settle while they iterate). */
  all(): BlockRequest[] {
    return [...this.reqs.values()];
  }

  /** Requests outstanding at seeder `id`. */
  count(id: string): number {
    return this.load.get(id)?.count ?? 0;
  }

  /** Outstanding requests per seeder (debugging, tests). */
  outstanding(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, l] of this.load) if (l.count > 0) out[id] = l.count;
    return out;
  }

  /** Records request r of n bytes at offset o of `job`, asked of `peer` (link measured `m`). */
  add(r: number, peer: SwarmPeer, job: PieceJob, o: number, n: number, m: LinkMeasure): void {
    let l = this.load.get(peer.id);
    if (!l) this.load.set(peer.id, (l = { count: 0, bytes: 0 }));
    const now = this.now();
    if (l.count === 0) peer.quality.busy(now);
    l.count++;
    l.bytes += n;
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
  }

  /** A request is answered or given up: it no longer loads its seeder. False if it was not outstanding. */
  settle(req: BlockRequest): boolean {
    if (!this.reqs.delete(req.r)) return false;
    const l = this.load.get(req.peer.id);
    if (l) {
      l.count--;
      l.bytes -= req.n;
      if (l.count <= 0) {
        this.load.delete(req.peer.id);
        req.peer.quality.idle(this.now());
      }
    }
    return true;
  }

  /** Seeder `id` is gone: forget its load (its requests were settled by the caller). */
  forgetPeer(id: string): void {
    this.load.delete(id);
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private sweep(): void {
    const now = this.now();
    const expired = this.all().filter((req) => now >= req.deadline);
    if (expired.length > 0) this.onExpired(expired);
    if (this.reqs.size === 0) this.close();
  }
}
