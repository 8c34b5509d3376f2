/**
 * Sender-side QoS (issue 5): per-transfer priority and an optional upload cap.
 *
 * A "transfer" is one file of the share, keyed by its index in the manifest (the wire's `f`), as
 * sent to any number of receivers. One scheduler serves the whole page: every SeedSession (one
 * per receiver link) awaits `grant()` right before it puts a block on its channel.
 *
 * - Cap: the client's token bucket (token-bucket.ts) filled at `cap` bytes/s holding at most
 *   `burstBytes` (250 ms of the cap, but at least one wire block). Over any interval Δ the bytes
 *   granted stay within `cap·Δ + burstBytes`. A grant bigger than the bucket waits for a full
 *   bucket and leaves it in debt, so even oversized blocks keep the long-run rate.
 * - Priority: weighted sharing among the transfers that are waiting for tokens (stride
 *   scheduling: a transfer's "pass" grows by bytes / weight on every grant, the lowest pass goes
 *   next). Weights high 4, normal 2, low 1: strict priority would starve low transfers; with
 *   weights, two backlogged transfers split the cap 4:1, and a transfer alone gets all of it
 *   (work-conserving). A transfer that was idle rejoins at most one bucket's worth of bytes
 *   behind the current pass, so it cannot hoard credit and then crowd the others out (and one
 *   that merely had no block ready for a moment keeps its place).
 * - No cap (0): grants return at once; each channel's own back-pressure is then the only limit and
 *   priority has no rate to divide.
 * Priority and cap changes apply from the next grant on.
 */
import { TokenBucket } from './token-bucket';

export type Priority = 'low' | 'normal' | 'high';
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high'];
export const DEFAULT_PRIORITY: Priority = 'normal';
export const PRIORITY_WEIGHT: Readonly<Record<Priority, number>> = { low: 1, normal: 2, high: 4 };

/** the bucket holds this many seconds' worth of the cap… */
export const BURST_SECONDS = 0.25;
/** …but at least one block of the largest size the data channel carries (wire blocks < 256 KiB) */
export const MIN_BURST_BYTES = 256 * 1024;
/** shortest timer the scheduler sets while waiting for tokens (ms) */
const MIN_WAIT_MS = 1;

export type TransferKey = number;

interface Waiter {
  bytes: number;
  resolve: () => void;
}

interface Transfer {
  priority: Priority;
  /** stride-scheduling pass: bytes granted / weight (lifted after idling, see grant()) */
  pass: number;
  waiting: Waiter[];
  granted: number;
}

export function isPriority(x: unknown): x is Priority {
  return typeof x === 'string' && (PRIORITIES as readonly string[]).includes(x);
}

/** Burst size of the bucket for a cap (bytes/s); 0 when there is no cap. */
export function burstFor(capBytesPerSec: number): number {
  return capBytesPerSec > 0 ? Math.max(MIN_BURST_BYTES, capBytesPerSec * BURST_SECONDS) : 0;
}

export class UploadScheduler {
  private readonly bucket: TokenBucket;
  private readonly transfers = new Map<TransferKey, Transfer>();
  /** pass of the most recent grant: where a transfer that was idle starts again */
  private currentPass = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `now` in ms (injectable for tests with fake timers) */
  constructor(now: () => number = () => performance.now()) {
    this.bucket = new TokenBucket(now);
  }

  /** upload cap in bytes/s, 0 = unlimited */
  get cap(): number {
    return this.bucket.rate;
  }

  get burstBytes(): number {
    return burstFor(this.cap);
  }

  /** Sets the cap (bytes/s; 0, negative or not finite = unlimited). */
  setCap(bytesPerSec: number): void {
    const next = Number.isFinite(bytesPerSec) && bytesPerSec > 0 ? bytesPerSec : 0;
    // tokens earned so far count at the old rate; turning the cap on starts with a full bucket
    this.bucket.configure(next, burstFor(next));
    this.dispatch();
  }

  priority(key: TransferKey): Priority {
    return this.transfers.get(key)?.priority ?? DEFAULT_PRIORITY;
  }

  setPriority(key: TransferKey, p: Priority): void {
    this.transfer(key).priority = p;
    this.dispatch();
  }

  /** bytes granted to a transfer since the page loaded */
  granted(key: TransferKey): number {
    return this.transfers.get(key)?.granted ?? 0;
  }

  /** Resolves when `bytes` of transfer `key` may go on the wire. */
  grant(key: TransferKey, bytes: number): Promise<void> {
    const t = this.transfer(key);
    if (this.cap === 0 || bytes <= 0) {
      t.granted += Math.max(0, bytes);
      return Promise.resolve();
    }
    if (t.waiting.length === 0)
      t.pass = Math.max(t.pass, this.currentPass - this.burstBytes / PRIORITY_WEIGHT[t.priority]);
    return new Promise((resolve) => {
      t.waiting.push({ bytes, resolve });
      this.dispatch();
    });
  }

  private transfer(key: TransferKey): Transfer {
    let t = this.transfers.get(key);
    if (!t) {
      t = { priority: DEFAULT_PRIORITY, pass: this.currentPass, waiting: [], granted: 0 };
      this.transfers.set(key, t);
    }
    return t;
  }

  /** the waiting transfer with the lowest pass (ties: the one that joined first) */
  private next(): Transfer | null {
    let best: Transfer | null = null;
    for (const t of this.transfers.values())
      if (t.waiting.length > 0 && (!best || t.pass < best.pass)) best = t;
    return best;
  }

  /** Grants what the bucket allows, in pass order; sets a timer for the rest. */
  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (;;) {
      const t = this.next();
      if (!t) return;
      const w = t.waiting[0]!;
      const ms = this.bucket.delayFor(w.bytes);
      if (ms > 0) {
        this.timer = setTimeout(() => this.dispatch(), Math.max(MIN_WAIT_MS, Math.ceil(ms)));
        return;
      }
      this.bucket.take(w.bytes);
      t.waiting.shift();
      this.currentPass = t.pass;
      t.pass += w.bytes / PRIORITY_WEIGHT[t.priority];
      t.granted += w.bytes;
      w.resolve();
    }
  }
}

/** The page's one scheduler: every SeedSession of this page shares it. */
export const uploadScheduler = new UploadScheduler();
