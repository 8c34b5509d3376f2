/**
 * The request pipeline of one connection: how many block requests may be outstanding (sized from
 * the bandwidth-delay product) and when one counts as lost.
 */
import type { LinkMeasure } from './blocksize';

export const MIN_WINDOW_BLOCKS = 2;
export const MAX_WINDOW_BLOCKS = 64;
/** Never more than this many bytes outstanding on one connection: beyond it requests only queue
 * behind data at the seeder (the answer time grows, the rate does not). */
export const MAX_WINDOW_BYTES = 4 * 1024 * 1024;
/** Before anything is measured. */
export const INITIAL_WINDOW_BLOCKS = 8;
/**
 * The delay the window must cover is at least this: besides the network rtt, the seeder reads and
 * encrypts each block, and a busy tab or phone stalls either end for hundreds of ms. The seeder's
 * queue must not run dry through such a stall: an idle transfer also loses its share of a capped
 * upload to the others (QoS), so 100 ms let a high-priority file fall to 1.3× a low one under load.
 */
export const MIN_PIPELINE_DELAY_MS = 500;
/** Window = GAIN × bandwidth × delay: room for the throughput to grow (it is measured through
 * the window itself, so a window of exactly one BDP would never find out there is more). */
export const BDP_GAIN = 2;

/** Outstanding block requests allowed on a connection. */
export function windowBlocks(m: LinkMeasure, blockSize: number): number {
  if (m.bytesPerSec === null) return INITIAL_WINDOW_BLOCKS;
  const delayMs = Math.max(MIN_PIPELINE_DELAY_MS, m.rttMs ?? 0);
  const bdp = (m.bytesPerSec * delayMs) / 1000;
  const blocks = Math.ceil((BDP_GAIN * bdp) / blockSize);
  const byBytes = Math.floor(MAX_WINDOW_BYTES / blockSize);
  return Math.max(MIN_WINDOW_BLOCKS, Math.min(MAX_WINDOW_BLOCKS, byBytes, blocks));
}

/** A request not answered within this is given up on (and asked again elsewhere). */
export const MIN_REQUEST_TIMEOUT_MS = 15_000;
export const MAX_REQUEST_TIMEOUT_MS = 60_000;
/** How many times the expected answer time a request may take before it times out. */
export const TIMEOUT_FACTOR = 4;

/**
 * Timeout of a request that has `bytesAhead` bytes queued before it (its own included) on a
 * connection: a multiple of the time it should take, within fixed bounds (generous: a loaded
 * machine stalls for seconds, and a false timeout costs a duplicate block).
 */
export function requestTimeoutMs(m: LinkMeasure, bytesAhead: number): number {
  const expect = (m.rttMs ?? 0) + (m.bytesPerSec ? (1000 * bytesAhead) / m.bytesPerSec : 0);
  return Math.max(
    MIN_REQUEST_TIMEOUT_MS,
    Math.min(MAX_REQUEST_TIMEOUT_MS, TIMEOUT_FACTOR * expect),
  );
}
