/**
 * Piece sources for seeding: the sender's dropped files (Blobs) and a receiver's stored, verified
 * pieces (OPFS / IndexedDB through storage/files.ts). Block requests come in pieces' worth of
 * neighbouring ranges from several peers, so whole pieces are read once and kept in a small cache
 * shared by every session of the page.
 */
import type { FileEntry } from './manifest';
import { pieceLength } from './pieces';
import type { PieceSource, SeedFile } from './seeder';

/** Pieces kept in memory for serving (1 MiB each). */
export const PIECE_CACHE_PIECES = 8;

/** A small LRU of whole plaintext pieces (promises, so concurrent requests share one read). */
export class PieceCache {
  private readonly map = new Map<string, Promise<Uint8Array>>();
  constructor(private readonly max = PIECE_CACHE_PIECES) {}

  get(k: string, read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    let v = this.map.get(k);
    if (v) {
      this.map.delete(k); // most recently used goes last
    } else {
      v = read();
      v.catch(() => this.map.delete(k));
    }
    this.map.set(k, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return v;
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * The sender: the pieces of the offered files, read from the Blob — each once its hash is in the
 * published manifest (a plain manifest lists zero hashes for every piece from the start).
 */
export function blobSource(files: () => SeedFile[], cache = new PieceCache()): PieceSource {
  return {
    entry: (f) => files()[f]?.entry,
    key: (f) => files()[f]?.key ?? null,
    has: (f, p) => {
      const e = files()[f]?.entry;
      return !!e && p < e.pieces.length;
    },
    readPiece: (f, p) => {
      const file = files()[f]!;
      const { entry } = file;
      return cache.get(`${entry.id}:${p}`, async () => {
        const start = p * entry.pieceSize;
        const end = start + pieceLength(entry.size, entry.pieceSize, p);
        return new Uint8Array(await file.blob.slice(start, end).arrayBuffer());
      });
    },
  };
}

export interface StoredPieces {
  entry(f: number): FileEntry | undefined;
  key(f: number): CryptoKey | null;
  /** verified and written, and seeding is on */
  has(f: number, p: number): boolean;
  /** plaintext bytes from storage */
  read(fileId: string, offset: number, length: number): Promise<Uint8Array>;
}

/** A receiver: its verified pieces, read back from storage (re-encrypted by the session). */
export function storeSource(s: StoredPieces, cache = new PieceCache()): PieceSource {
  return {
    entry: (f) => s.entry(f),
    key: (f) => s.key(f),
    has: (f, p) => s.has(f, p),
    readPiece: (f, p) => {
      const entry = s.entry(f)!;
      return cache.get(`${entry.id}:${p}`, () =>
        s.read(entry.id, p * entry.pieceSize, pieceLength(entry.size, entry.pieceSize, p)),
      );
    },
  };
}
