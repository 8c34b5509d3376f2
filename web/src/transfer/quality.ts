/**
 * What a downloader knows about one seeder: its measured rtt and throughput (from request → block
 * timing), the getStats figures of the link when the peer layer has them, and its record of bad
 * pieces and timeouts. `score` turns that and the seeder's current load into the expected time a
 * new request would take; the downloader sends work where that is lowest.
 */
import type { LinkMeasure } from './blocksize';
import type { LinkHealth } from '../peer/link';

/** Weight of a new sample in the moving averages. */
export const EWMA_ALPHA = 0.25;
/** Throughput is sampled over at least this much busy time (time with requests outstanding). */
export const THROUGHPUT_SAMPLE_MS = 200;
/** Assumed for a seeder not measured yet (so a new seeder gets tried, after the proven ones). */
export const ASSUMED_BYTES_PER_SEC = 1024 * 1024;
/** Each bad piece multiplies a seeder's expected time by (1 + this): it is demoted. */
export const BAD_PIECE_PENALTY = 2;
/** After this many bad pieces a seeder is not asked any more. */
export const EXCLUDE_AFTER_BAD_PIECES = 3;
/** Each timed-out request multiplies the expected time by (1 + this). */
export const TIMEOUT_PENALTY = 0.5;

const ewma = (old: number | null, x: number) => (old === null ? x : old + EWMA_ALPHA * (x - old));

export class PeerQuality {
  rttMs: number | null = null;
  bytesPerSec: number | null = null;
  badPieces = 0;
  timeouts = 0;
  /** a request timed out and no block arrived since: asked only when nobody else can */
  stalled = false;
  private busySince: number | null = null;
  private sampleBytes = 0;
  private sampleMs = 0;

  get excluded(): boolean {
    return this.badPieces >= EXCLUDE_AFTER_BAD_PIECES;
  }

  /** Requests became outstanding (from none): busy time starts. */
  busy(now: number): void {
    this.busySince ??= now;
  }

  /** No request outstanding any more: busy time stops (idle time must not lower throughput). */
  idle(now: number): void {
    if (this.busySince !== null) this.sampleMs += now - this.busySince;
    this.busySince = null;
  }

  /**
   * A block of `bytes` arrived `elapsedMs` after it was asked for, with `bytesAhead` bytes
   * (its own included) outstanding on the connection when it was asked.
   */
  block(now: number, elapsedMs: number, bytes: number, bytesAhead: number): void {
    this.stalled = false;
    this.sampleBytes += bytes;
    if (this.busySince !== null) {
      this.sampleMs += now - this.busySince;
      this.busySince = now;
    }
    if (this.sampleMs >= THROUGHPUT_SAMPLE_MS) {
      this.bytesPerSec = ewma(this.bytesPerSec, (1000 * this.sampleBytes) / this.sampleMs);
      this.sampleBytes = 0;
      this.sampleMs = 0;
    }
    // the answer time less the time the bytes queued ahead of it needed: the round trip
    const queued = this.bytesPerSec ? (1000 * (bytesAhead - bytes)) / this.bytesPerSec : 0;
    this.rttMs = ewma(this.rttMs, Math.max(1, elapsedMs - queued));
  }

  badPiece(): void {
    this.badPieces++;
  }

  timeout(): void {
    this.timeouts++;
    this.stalled = true;
  }

  /** Own measurements, completed by the link's getStats figures where they are missing. */
  measure(health?: LinkHealth | null): LinkMeasure {
    return {
      rttMs: health?.rttMs ?? this.rttMs,
      bytesPerSec: this.bytesPerSec ?? (health?.recvBytesPerSec || null),
      degraded: health?.degraded ?? false,
    };
  }

  /**
   * Expected ms until `bytes` more would have arrived from this seeder, given `queuedBytes`
   * already asked of it, inflated by its record (bad pieces, timeouts). Lower is better.
   */
  score(queuedBytes: number, bytes: number, health?: LinkHealth | null): number {
    const m = this.measure(health);
    const rate = m.bytesPerSec ?? ASSUMED_BYTES_PER_SEC;
    const ms = (m.rttMs ?? 0) + (1000 * (queuedBytes + bytes)) / rate;
    return ms * (1 + BAD_PIECE_PENALTY * this.badPieces + TIMEOUT_PENALTY * this.timeouts);
  }
}
