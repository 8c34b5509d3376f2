/**
 * The client's one token bucket: filled at `rate` bytes/s, holding at most `capacity` bytes.
 * Used by the upload cap (qos.ts) and by the download-rate test throttle (downloader.ts).
 *
 * Over any interval Δ the bytes taken stay within `rate·Δ + capacity`. A taker waits until the
 * bucket holds what it asks for, but never for more than a full bucket: a take bigger than the
 * bucket leaves it in debt, so oversized takes still keep the long-run rate.
 * Rate 0 means unlimited: nothing ever waits and nothing is counted.
 */
export class TokenBucket {
  private ratePerSec = 0;
  private cap = 0;
  private tokens = 0;
  private refilledAt: number;

  /** `now` in ms (injectable: unit tests run it under a fake clock) */
  constructor(
    private readonly now: () => number,
    rate = 0,
    capacity = 0,
  ) {
    this.refilledAt = now();
    this.configure(rate, capacity);
  }

  /** bytes per second; 0 = unlimited */
  get rate(): number {
    return this.ratePerSec;
  }

  get capacity(): number {
    return this.cap;
  }

  /**
   * Sets rate and capacity (a rate ≤ 0 or not finite = unlimited). Tokens earned so far count at
   * the old rate; a bucket that was unlimited starts full.
   */
  configure(rate: number, capacity: number): void {
    const next = Number.isFinite(rate) && rate > 0 ? rate : 0;
    this.refill();
    if (this.ratePerSec === 0) this.tokens = capacity;
    this.ratePerSec = next;
    this.cap = next > 0 ? capacity : 0;
    this.tokens = Math.min(this.tokens, this.cap);
  }

  /** Milliseconds until `bytes` may be taken (at most a full bucket is waited for); 0 = now. */
  delayFor(bytes: number): number {
    if (this.ratePerSec === 0) return 0;
    this.refill();
    const need = Math.min(bytes, this.cap);
    return this.tokens >= need ? 0 : ((need - this.tokens) / this.ratePerSec) * 1000;
  }

  /** Takes `bytes` (the bucket may go into debt; see delayFor). */
  take(bytes: number): void {
    if (this.ratePerSec === 0) return;
    this.refill();
    this.tokens -= bytes;
  }

  private refill(): void {
    const now = this.now();
    if (this.ratePerSec > 0)
      this.tokens = Math.min(
        this.cap,
        this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSec,
      );
    this.refilledAt = now;
  }
}
