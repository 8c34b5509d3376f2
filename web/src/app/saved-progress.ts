/**
 * A receiver's progress as it survives a reload (IndexedDB, storage/state.ts): the manifest, whether
 * the files were accepted, each file's verified pieces and which files the user paused. Saving is
 * coalesced: a burst of verified pieces costs one write.
 */
import { loadRoomState, type RoomState, saveRoomState } from '../storage/state';
import type { DownloadFile } from '../transfer/download-file';
import type { FileEntry, Manifest } from '../transfer/manifest';
import { Bitfield, pieceCount } from '../transfer/pieces';

/** Verified pieces are written at most this often (ms). */
export const SAVE_DELAY_MS = 100;

/** What is saved: the session's manifest, its files and whether they were accepted. */
export interface ProgressSnapshot {
  manifest: Manifest;
  files: readonly DownloadFile[];
  accepted: boolean;
}

export class SavedProgress {
  private have: Record<string, Uint8Array> = {};
  private paused: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly room: string,
    /** the session's state now (null: nothing to save yet) */
    private readonly snapshot: () => ProgressSnapshot | null,
  ) {}

  /** The state saved by an earlier visit of this room's link, if any. */
  async load(): Promise<RoomState | undefined> {
    const saved = await loadRoomState(this.room);
    if (saved) {
      this.have = saved.have;
      this.paused = saved.paused;
    }
    return saved;
  }

  /** The verified pieces saved for a file, if any. */
  bitfield(f: FileEntry): Bitfield | undefined {
    const b = this.have[f.id];
    return b ? new Bitfield(pieceCount(f.size, f.pieceSize), b) : undefined;
  }

  /** Whether the user had paused file `id` when the state was saved. */
  wasPaused(id: string): boolean {
    return this.paused.includes(id);
  }

  /** Saves soon (coalescing the saves asked for meanwhile). */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  async save(): Promise<void> {
    const s = this.snapshot();
    if (!s) return;
    const have: Record<string, Uint8Array> = {};
    const paused: string[] = [];
    for (const f of s.files) {
      const id = s.manifest.files[f.index]!.id;
      have[id] = f.have.bits.slice();
      if (f.state === 'paused') paused.push(id);
    }
    await saveRoomState({
      room: this.room,
      manifest: JSON.stringify(s.manifest),
      accepted: s.accepted,
      have,
      paused,
      updated: Date.now(),
    });
  }
}
