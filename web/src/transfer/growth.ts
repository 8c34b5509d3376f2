/**
 * How a share's manifest may change between versions. The sender offers files before it has
 * hashed them: the first signed manifest lists each file with an empty piece-hash list, and later
 * versions (seq + 1 each, every one signed by the sender) carry longer prefixes of the hashes and,
 * once a file is hashed whole, its root. A receiver adopts a newer version only when it keeps
 * everything the one it holds already says: same files in the same order with the same id, name,
 * path, size, type and piece/block size, each piece-hash list a prefix of the new one, a root set
 * once never changing; files may be appended. Anything else — a shorter list, a different hash,
 * a changed file, a removed file — is a conflict and refused, whatever its seq.
 */
import type { FileEntry, Manifest } from './manifest';

export type ManifestChange =
  /** not newer than the one held (seq ≤ held seq) */
  | 'stale'
  /** newer, same files, only longer piece-hash prefixes and/or roots */
  | 'grows'
  /** newer, the held files unchanged (hashes may grow) and more files appended */
  | 'adds'
  /** newer but contradicts the one held: refused */
  | 'conflict';

function sameFile(a: FileEntry, b: FileEntry): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.path === b.path &&
    a.size === b.size &&
    a.type === b.type &&
    a.pieceSize === b.pieceSize &&
    a.blockSize === b.blockSize
  );
}

/** Whether `next` keeps `held`'s hashes (a prefix) and root (once set). */
function keepsHashes(held: FileEntry, next: FileEntry): boolean {
  if (next.pieces.length < held.pieces.length) return false;
  for (let i = 0; i < held.pieces.length; i++) if (held.pieces[i] !== next.pieces[i]) return false;
  return held.root === '' || held.root === next.root;
}

/** Classifies `next` against the manifest held (see the module comment). */
export function manifestChange(held: Manifest, next: Manifest): ManifestChange {
  if (next.seq <= held.seq) return 'stale';
  if (!!next.plain !== !!held.plain) return 'conflict';
  if (next.files.length < held.files.length) return 'conflict';
  for (let i = 0; i < held.files.length; i++) {
    const a = held.files[i]!;
    const b = next.files[i]!;
    if (!sameFile(a, b) || !keepsHashes(a, b)) return 'conflict';
  }
  return next.files.length > held.files.length ? 'adds' : 'grows';
}
