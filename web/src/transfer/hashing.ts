/** Builds manifest entries from local files: SHA-256 per piece plus the root hash. */
import { toBase64Url } from '../crypto/bytes';
import { type FileEntry, randomFileId, rootHash, sha256 } from './manifest';
import { BLOCK_SIZE, PIECE_SIZE, pieceCount } from './pieces';

export interface LocalFile {
  blob: Blob;
  name: string;
  path: string;
}

export async function describeFile(
  f: LocalFile,
  opts: { hash?: boolean; onProgress?: (bytes: number) => void } = {},
): Promise<FileEntry> {
  const size = f.blob.size;
  const n = pieceCount(size, PIECE_SIZE);
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.hash === false) {
      hashes.push(new Uint8Array(32));
    } else {
      const part = f.blob.slice(i * PIECE_SIZE, Math.min(size, (i + 1) * PIECE_SIZE));
      hashes.push(await sha256(new Uint8Array(await part.arrayBuffer())));
    }
    opts.onProgress?.(Math.min(size, (i + 1) * PIECE_SIZE));
  }
  return {
    id: randomFileId(),
    name: f.name,
    path: f.path,
    size,
    type: f.blob.type || 'application/octet-stream',
    pieceSize: PIECE_SIZE,
    blockSize: BLOCK_SIZE,
    pieces: hashes.map(toBase64Url),
    root: await rootHash(size, hashes),
  };
}
