/**
 * Transfer history: one entry per transfer this browser sent or received. DOM-free; the tracker
 * samples a running session and turns it into an entry, the cleanup rules pick what to delete.
 */
import type { Connection, Direction, Outcome } from '../analytics/report';

export interface HistoryEntry {
  /** `${direction}:${room}` */
  id: string;
  room: string;
  direction: Direction;
  files: { name: string; size: number }[];
  totalSize: number;
  /** bytes moved (verified for a receiver, sent for a sender) */
  bytes: number;
  started: number;
  updated: number;
  status: Outcome;
  /** most peers seen at once */
  peers: number;
  durationMs: number;
  avgBps: number;
  peakBps: number;
  connection: Connection;
  errors: number;
  error?: string;
  /** the share link WITH its key — only when the user pinned the entry for later resume */
  link?: string;
  /** the anonymous report was sent (or declined) for this entry */
  reported?: boolean;
  /** its received data was deleted to free space (the entry stays) */
  cleared?: boolean;
}

/** What a running session looks like to the tracker (adapters in sessions.ts). */
export interface TransferProbe {
  direction: Direction;
  room(): string | null;
  /** null until there is a transfer worth recording */
  files(): { name: string; size: number }[] | null;
  /** cumulative bytes moved by this page */
  moved(): number;
  /** bytes done out of totalSize (for a receiver, including earlier visits) */
  progress(): number;
  peers(): number;
  outcome(): Outcome | 'active';
  errors(): number;
  error(): string | undefined;
  connection(): Promise<Connection | null>;
}

export function entryId(direction: Direction, room: string): string {
  return `${direction}:${room}`;
}

/**
 * Turns samples of a probe into a history entry: speed over the time bytes moved (first byte →
 * last change), peak over ≥ 1 s windows.
 */
export class TransferTracker {
  entry: HistoryEntry | null = null;
  private firstByteAt = 0;
  private lastByteAt = 0;
  private winStart = 0;
  private winBytes = 0;
  private lastMoved = 0;
  private baseMoved = -1;
  private finalSeen = false;
  private lastSampleAt = 0;
  private readonly earlierMs: number;

  constructor(
    private readonly probe: TransferProbe,
    private readonly now: () => number = () => Date.now(),
    previous?: HistoryEntry,
  ) {
    if (previous) this.entry = { ...previous };
    this.earlierMs = previous?.durationMs ?? 0;
  }

  /** Samples the session; returns the entry if it changed, and whether it just became final. */
  sample(connection?: Connection | null): { entry: HistoryEntry | null; final: boolean } {
    const p = this.probe;
    const room = p.room();
    const files = p.files();
    if (!room || !files) return { entry: null, final: false };
    const t = this.now();
    const moved = p.moved();
    if (this.baseMoved < 0) {
      this.baseMoved = moved;
      this.lastMoved = moved;
      this.winStart = t;
      this.winBytes = moved;
    }
    if (moved > this.lastMoved) {
      if (!this.firstByteAt) {
        // the bytes started moving after the previous sample
        this.firstByteAt = this.lastSampleAt || t;
        this.winStart = this.firstByteAt;
        this.winBytes = this.lastMoved;
      }
      this.lastByteAt = t;
      this.lastMoved = moved;
    }
    this.lastSampleAt = t;
    const prev = this.entry;
    const outcome = p.outcome();
    const status = outcome === 'active' ? 'partial' : outcome;
    const movedHere = moved - this.baseMoved;
    const activeMs = this.firstByteAt ? Math.max(1, this.lastByteAt - this.firstByteAt) : 0;
    let peak = prev?.peakBps ?? 0;
    if (t - this.winStart >= 1000) {
      peak = Math.max(peak, ((moved - this.winBytes) * 1000) / (t - this.winStart));
      this.winStart = t;
      this.winBytes = moved;
    }
    const avgBps =
      activeMs > 0 ? (movedHere * 1000) / Math.max(activeMs, 1000) : (prev?.avgBps ?? 0);
    peak = Math.max(peak, avgBps);
    const e: HistoryEntry = {
      id: entryId(p.direction, room),
      room,
      direction: p.direction,
      files,
      totalSize: files.reduce((a, f) => a + f.size, 0),
      bytes: Math.max(p.progress(), prev?.bytes ?? 0),
      started: prev?.started ?? t,
      updated: t,
      status,
      peers: Math.max(prev?.peers ?? 0, p.peers()),
      // durations add up over visits (a resumed receive)
      durationMs: this.earlierMs + activeMs,
      avgBps,
      peakBps: peak,
      connection: connection ?? prev?.connection ?? 'unknown',
      errors: Math.max(prev?.errors ?? 0, p.errors()),
      error: p.error(),
      link: prev?.link,
      reported: prev?.reported,
      cleared: prev?.cleared,
    };
    this.entry = e;
    const final = outcome !== 'active' && !this.finalSeen;
    if (final) this.finalSeen = true;
    return { entry: e, final };
  }
}

/** Entries older than maxAgeMs (by last update); pinned ones too — the age is the user's choice. */
export function expired(entries: HistoryEntry[], now: number, maxAgeMs: number): HistoryEntry[] {
  return entries.filter((e) => now - e.updated > maxAgeMs);
}

/**
 * When storage runs low (free < lowFraction of the quota), the received data of the oldest
 * entries goes first — unpinned before pinned — until the estimated free space is enough.
 */
export function evictForSpace(
  entries: HistoryEntry[],
  usage: number,
  quota: number,
  lowFraction = 0.1,
  skip: (e: HistoryEntry) => boolean = () => false,
): HistoryEntry[] {
  if (!(quota > 0)) return [];
  const want = quota * lowFraction;
  let free = quota - usage;
  if (free >= want) return [];
  const candidates = entries
    .filter((e) => e.direction === 'receive' && !skip(e))
    .sort((a, b) => Number(!!a.link) - Number(!!b.link) || a.updated - b.updated);
  const out: HistoryEntry[] = [];
  for (const e of candidates) {
    if (free >= want) break;
    out.push(e);
    free += e.bytes;
  }
  return out;
}
