/**
 * What a download is made of, shared by the Downloader and its parts: the state of one file of
 * the manifest, and the PieceSink port through which verified bytes are stored (storage/
 * implements it; transfer/ must not import storage/).
 */
import type { Manifest } from './manifest';
import { Bitfield, pieceCount, verifiedBytes } from './pieces';
import type { FileState } from './state';

export interface PieceSink {
  /** writes verified bytes at an absolute offset of file `fileId` (may take over `data`'s buffer) */
  write(fileId: string, offset: number, data: Uint8Array): Promise<void>;
  /**
   * All pieces are in, each verified against its hash before it was written: make the stored file
   * durable and close it. False when the store does not hold the whole file (it is fetched again).
   */
  finish(fileIndex: number): Promise<boolean>;
}

export interface DownloadFile {
  index: number;
  state: FileState;
  accepted: boolean;
  have: Bitfield;
  bytes: number;
  error?: string;
}

/** The files of `manifest`, none accepted yet, with the pieces `have` says are stored. */
export function initialFiles(manifest: Manifest, have: (Bitfield | undefined)[]): DownloadFile[] {
  return manifest.files.map((e, index) => {
    const n = pieceCount(e.size, e.pieceSize);
    const bf = have[index] && have[index].length === n ? have[index] : new Bitfield(n);
    return {
      index,
      state: 'waiting' as FileState,
      accepted: false,
      have: bf,
      bytes: verifiedBytes(e.size, e.pieceSize, bf),
    };
  });
}

/** Size and verified bytes of the accepted files. */
export function acceptedTotals(
  files: readonly DownloadFile[],
  manifest: Manifest,
): { size: number; bytes: number } {
  let size = 0;
  let bytes = 0;
  for (const f of files) {
    if (!f.accepted) continue;
    size += manifest.files[f.index]!.size;
    bytes += f.bytes;
  }
  return { size, bytes };
}
