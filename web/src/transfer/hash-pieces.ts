/**
 * The hashing loop shared by the hash worker and its main-thread fallback: reads a Blob in slices
 * of several pieces (fewer, larger reads) and reports the SHA-256 of every piece, one batch per
 * slice, in order.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** Bytes read from the file at once (a whole number of pieces is hashed per read). */
export const HASH_READ_BYTES = 8 * 1024 * 1024;

export type HashRequest = { id: number; blob: Blob; pieceSize: number };
export type HashResponse =
  | { id: number; from: number; hashes: Uint8Array<ArrayBuffer> }
  | { id: number; done: true }
  | { id: number; error: string };

async function digest(view: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  // workers of a page that is not a secure context have no crypto.subtle (crypto/fallback.ts)
  if (globalThis.crypto?.subtle) return new Uint8Array(await crypto.subtle.digest('SHA-256', view));
  return nobleSha256(view);
}

/**
 * Calls `batch(first piece index, 32 bytes per piece)` for consecutive runs of pieces until the
 * whole blob is hashed.
 */
export async function hashPieces(
  blob: Blob,
  pieceSize: number,
  batch: (from: number, hashes: Uint8Array<ArrayBuffer>) => void | Promise<void>,
): Promise<void> {
  const per = Math.max(1, Math.floor(HASH_READ_BYTES / pieceSize));
  for (let start = 0, piece = 0; start < blob.size; start += per * pieceSize) {
    const end = Math.min(blob.size, start + per * pieceSize);
    const bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    const n = Math.ceil(bytes.length / pieceSize);
    const out = new Uint8Array(32 * n);
    for (let i = 0; i < n; i++)
      out.set(await digest(bytes.subarray(i * pieceSize, (i + 1) * pieceSize)), 32 * i);
    await batch(piece, out);
    piece += n;
  }
}
