/** Resume state of a receiver, per room, in IndexedDB (idb): the manifest and verified pieces. */
import { type IDBPDatabase, openDB } from 'idb';

export interface RoomState {
  room: string;
  /** the decrypted manifest JSON (kept locally only) */
  manifest: string;
  accepted: boolean;
  /** file id → bitfield bytes of verified pieces */
  have: Record<string, Uint8Array>;
  /** file ids the user paused */
  paused: string[];
  updated: number;
}

let db: Promise<IDBPDatabase> | null = null;
function open(): Promise<IDBPDatabase> {
  db ??= openDB('p2p-share', 1, {
    upgrade(d) {
      d.createObjectStore('rooms', { keyPath: 'room' });
    },
  });
  return db;
}

export async function loadRoomState(room: string): Promise<RoomState | undefined> {
  try {
    return (await (await open()).get('rooms', room)) as RoomState | undefined;
  } catch {
    return undefined;
  }
}

export async function saveRoomState(s: RoomState): Promise<void> {
  try {
    await (await open()).put('rooms', { ...s, updated: Date.now() });
  } catch {
    /* private mode etc.: resume after reload is then not available */
  }
}

export class NoSpaceError extends Error {
  readonly code = 'no-space';
}

/** Checks navigator.storage.estimate() before accepting; `needed` in bytes. */
export async function checkSpace(needed: number, quotaOverride?: number): Promise<void> {
  let free = Number.POSITIVE_INFINITY;
  if (quotaOverride !== undefined) free = quotaOverride;
  else if (navigator.storage?.estimate) {
    const e = await navigator.storage.estimate();
    if (typeof e.quota === 'number') free = e.quota - (e.usage ?? 0);
  }
  if (needed > free) {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    throw new NoSpaceError(
      `Not enough storage space: these files need ${mb(needed)}, the browser allows ${mb(free)} more.`,
    );
  }
}
