/**
 * Adaptive block size: how many bytes one block request asks for. Bigger blocks mean fewer
 * messages and less per-block overhead on a fast link; smaller blocks keep a weak link (high rtt,
 * low throughput) responsive and cost less when a request times out. A block is identified by its
 * position (file, piece, offset, length), and its AES-GCM IV/AAD come from that position, so any
 * size works; pieces are still verified whole (1 MiB, SHA-256).
 */
import { GCM_TAG_BYTES } from '../crypto/keys';
import { BLOCK_HEADER, MAX_REQUEST_BYTES } from './wire';

export const MIN_BLOCK = 16 * 1024;
export const MAX_BLOCK = MAX_REQUEST_BYTES; // 256 KiB
/**
 * Before anything is measured: the largest block (each block costs main-thread work on both
 * sides — a request, a WebCrypto call each way, a message — so fewer, bigger blocks cost less
 * CPU per byte; a weak link is found within the first blocks and gets smaller ones).
 */
export const INITIAL_BLOCK = MAX_BLOCK;
/** A block should take about this long to arrive at the measured throughput. */
export const BLOCK_TARGET_MS = 50;
/** Above this rtt the link counts as weak: one size step down. */
export const HIGH_RTT_MS = 250;
/** When the channel does not say (RFC 8841's default without a max-message-size attribute). */
export const DEFAULT_MAX_MESSAGE = 64 * 1024;

/**
 * The largest payload a block may carry on a channel: its message limit minus the 20-byte header
 * and the 16-byte GCM tag. Chromium negotiates 262,144 bytes, so a block carries at most
 * 262,108 plaintext bytes there (never the full 256 KiB).
 */
export function maxBlockPayload(maxMessageSize: number | undefined): number {
  const limit = maxMessageSize && maxMessageSize > 0 ? maxMessageSize : DEFAULT_MAX_MESSAGE;
  return Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, limit - BLOCK_HEADER - GCM_TAG_BYTES));
}

export interface LinkMeasure {
  /** smoothed round-trip time, ms (null: not measured yet) */
  rttMs: number | null;
  /** smoothed throughput, bytes/s (null: not measured yet) */
  bytesPerSec: number | null;
  /** the peer layer's verdict from getStats */
  degraded?: boolean;
}

/** Largest power of two ≤ x (x ≥ 1). */
function floorPow2(x: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, x)));
}

/** Block size in [MIN_BLOCK, maxBlockPayload(maxMessageSize)] from rtt and throughput. */
export function chooseBlockSize(m: LinkMeasure, maxMessageSize: number | undefined): number {
  const cap = maxBlockPayload(maxMessageSize);
  const byRate = m.bytesPerSec === null ? INITIAL_BLOCK : (m.bytesPerSec * BLOCK_TARGET_MS) / 1000;
  // a fast link gets the channel's largest block, a slower one a power of two below it
  let size = byRate >= cap ? cap : floorPow2(byRate);
  if ((m.rttMs !== null && m.rttMs > HIGH_RTT_MS) || m.degraded) size /= 2;
  return Math.max(MIN_BLOCK, Math.min(cap, size));
}

/**
 * The next block of a piece, starting at `offset`: at most `size` bytes, with the rest of the
 * piece split evenly (so a 1 MiB piece at a 262,108-byte cap is 5 blocks of ~205 KiB, not four
 * big ones and a 144-byte tail).
 */
export function nextBlockLength(pieceLen: number, offset: number, size: number): number {
  const rest = pieceLen - offset;
  if (rest <= size) return rest;
  return Math.ceil(rest / Math.ceil(rest / size));
}
