/**
 * The seeders a receiver is connected to: each peer's link, which pieces it announced (bitfield +
 * have), and its measured quality. Lives as long as the receiver page (a new manifest makes a new
 * Downloader, the swarm stays), so request ids never repeat across downloaders.
 */
import type { DataLink } from '../peer/link';
import { MAX_FILES, MAX_TOTAL_PIECES } from './manifest';
import { Bitfield } from './pieces';

/** Bytes of announced bits one peer may make us hold, over all files (the manifest's bound). */
export const MAX_PEER_BITS_BYTES = MAX_TOTAL_PIECES / 8 + MAX_FILES;
import { PeerQuality } from './quality';

export class SwarmPeer {
  readonly quality = new PeerQuality();
  /** announced pieces per file index (raw bits, LSB first; grown on demand) */
  private readonly bits = new Map<number, Uint8Array>();
  private bitsBytes = 0;

  constructor(
    readonly id: string,
    readonly link: DataLink,
  ) {}

  holds(f: number, p: number): boolean {
    const b = this.bits.get(f);
    return !!b && p >= 0 && p >> 3 < b.length && (b[p >> 3]! & (1 << (p & 7))) !== 0;
  }

  /** Whether holding `bytes` for file f keeps this peer within MAX_PEER_BITS_BYTES. */
  private fits(f: number, bytes: number): boolean {
    const now = this.bits.get(f)?.length ?? 0;
    return this.bitsBytes - now + bytes <= MAX_PEER_BITS_BYTES;
  }

  private put(f: number, b: Uint8Array): void {
    this.bitsBytes += b.length - (this.bits.get(f)?.length ?? 0);
    this.bits.set(f, b);
  }

  /** Takes a peer's bitfield; false (nothing kept) when it is beyond the bounds. */
  setBitfield(f: number, bits: Uint8Array): boolean {
    if (f >= MAX_FILES || !this.fits(f, bits.length)) return false;
    this.put(f, bits.slice());
    return true;
  }

  /** Takes one `have`; false (nothing allocated) when it is beyond the bounds. */
  setHave(f: number, p: number): boolean {
    if (f >= MAX_FILES || p < 0 || p >= MAX_TOTAL_PIECES) return false;
    let b = this.bits.get(f) ?? new Uint8Array(0);
    if (p >> 3 >= b.length) {
      if (!this.fits(f, (p >> 3) + 1)) return false;
      const grown = new Uint8Array((p >> 3) + 1);
      grown.set(b);
      b = grown;
      this.put(f, b);
    }
    b[p >> 3]! |= 1 << (p & 7);
    return true;
  }

  /** The peer answered `reject` for a piece: it does not (or no longer) serve it. */
  forget(f: number, p: number): void {
    const b = this.bits.get(f);
    if (b && p >> 3 < b.length) b[p >> 3]! &= ~(1 << (p & 7));
  }
}

export class Swarm {
  readonly peers = new Map<string, SwarmPeer>();
  private nextReq = 1;

  add(id: string, link: DataLink): SwarmPeer {
    const p = new SwarmPeer(id, link);
    this.peers.set(id, p);
    return p;
  }

  remove(id: string): void {
    this.peers.delete(id);
  }

  requestId(): number {
    const r = this.nextReq;
    this.nextReq = this.nextReq >= 0xffffffff ? 1 : this.nextReq + 1;
    return r;
  }
}

/** Every piece of an n-piece file (what the sender announces). */
export function allPieces(n: number): Bitfield {
  const b = new Bitfield(n);
  for (let i = 0; i < n; i++) b.set(i);
  return b;
}

export interface Candidate {
  peer: SwarmPeer;
  /** bytes already asked of it and not yet arrived */
  queuedBytes: number;
  /** whether it may take more work now (its backlog is below its window) */
  room: boolean;
}

/**
 * The seeder to ask for `bytes` more of a piece, among those holding it. Never an excluded one.
 * Holders rank in tiers: sound ones first, then stalled ones (a request timed out), then those
 * that sent a bad copy of this piece; only the best tier present is asked, and within it the one
 * with room and the lowest expected time (quality × load). null: wait (the best are busy).
 */
export function pickSeeder(
  candidates: Candidate[],
  bytes: number,
  avoid: ReadonlySet<string> = new Set(),
): SwarmPeer | null {
  const tier = (c: Candidate) => (avoid.has(c.peer.id) ? 2 : 0) + (c.peer.quality.stalled ? 1 : 0);
  const usable = candidates.filter((c) => !c.peer.quality.excluded && c.peer.link.open);
  if (usable.length === 0) return null;
  const best = Math.min(...usable.map(tier));
  let pick: SwarmPeer | null = null;
  let pickScore = Infinity;
  for (const c of usable) {
    if (tier(c) !== best || !c.room) continue;
    const score = c.peer.quality.score(c.queuedBytes, bytes, c.peer.link.health?.());
    if (score < pickScore) {
      pickScore = score;
      pick = c.peer;
    }
  }
  return pick;
}
