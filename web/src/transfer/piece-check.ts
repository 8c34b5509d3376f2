/**
 * Assembling a piece from its blocks and judging it: each block is decrypted (AES-GCM names the
 * seeder of a forged block), and the whole piece is checked against the manifest's SHA-256 (a
 * mismatch blames everyone who sent blocks of it).
 */
import { fromBase64Url } from '../crypto/bytes';
import { decryptBlock } from '../crypto/keys';
import { type Manifest, sha256 } from './manifest';
import type { PieceJob } from './piece-jobs';

/** What a piece whose every block arrived turned out to be. */
export type PieceVerdict =
  | { kind: 'good' }
  /** the manifest has no hash for it yet (it is still growing) */
  | { kind: 'no-hash' }
  | { kind: 'bad'; blame: ReadonlySet<string> };

/**
 * Puts the block [o, o+n) of `job` from seeder `from` into the piece, decrypted with `fileKey`
 * (null: a plain share); a block that fails authentication or has the wrong length is counted as
 * arrived but marks its seeder for blame.
 */
export async function addBlock(
  manifest: Manifest,
  fileKey: CryptoKey | null,
  job: PieceJob,
  o: number,
  n: number,
  payload: Uint8Array,
  from: string,
): Promise<void> {
  const entry = manifest.files[job.f]!;
  try {
    const plain = fileKey
      ? await decryptBlock(fileKey, entry.id, job.p, job.p * entry.pieceSize + o, payload)
      : payload;
    if (plain.length !== n) throw new Error('block length differs from the request');
    job.buf.set(plain, o);
    job.contributors.add(from);
  } catch {
    job.badFrom.add(from);
  }
  job.got += n;
}

/** Judges a piece whose blocks have all arrived. */
export async function checkPiece(manifest: Manifest, job: PieceJob): Promise<PieceVerdict> {
  // authentication names the seeder of the bad block; a hash mismatch all who sent blocks
  if (job.badFrom.size > 0) return { kind: 'bad', blame: job.badFrom };
  if (manifest.plain) return { kind: 'good' };
  const hash = manifest.files[job.f]!.pieces[job.p];
  if (hash === undefined) return { kind: 'no-hash' };
  const h = await sha256(job.buf);
  const want = fromBase64Url(hash);
  return h.every((b, i) => b === want[i])
    ? { kind: 'good' }
    : { kind: 'bad', blame: job.contributors };
}
