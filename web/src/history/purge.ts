/**
 * Deletes what a received transfer left in this browser: its OPFS directory
 * (`p2p-share/<room>`, see storage/files.ts), its IndexedDB pieces (fallback store, keys
 * `<room>/<file>/<piece>`) and its resume state (`p2p-share` → `rooms`).
 */
import { openDB } from 'idb';

async function removeOpfs(room: string): Promise<boolean> {
  if (!navigator.storage?.getDirectory) return false;
  let root: FileSystemDirectoryHandle;
  try {
    root = await (await navigator.storage.getDirectory()).getDirectoryHandle('p2p-share');
  } catch {
    return false; // nothing stored in OPFS at all
  }
  // a worker of a page that just went away may still hold the files for a moment
  for (let attempt = 0; ; attempt++) {
    try {
      await root.removeEntry(room, { recursive: true });
      return true;
    } catch (e) {
      if ((e as DOMException)?.name === 'NotFoundError') return false;
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

async function removeIdbPieces(room: string): Promise<void> {
  const d = await openDB('p2p-share-pieces', 1, {
    upgrade(x) {
      x.createObjectStore('pieces', { keyPath: 'key' });
    },
  });
  try {
    await d.delete('pieces', IDBKeyRange.bound(`${room}/`, `${room}/\uffff`));
  } finally {
    d.close();
  }
}

async function removeRoomState(room: string): Promise<void> {
  const d = await openDB('p2p-share', 1, {
    upgrade(x) {
      x.createObjectStore('rooms', { keyPath: 'room' });
    },
  });
  try {
    await d.delete('rooms', room);
  } finally {
    d.close();
  }
}

export async function deleteRoomData(room: string): Promise<void> {
  await removeOpfs(room);
  await removeIdbPieces(room);
  await removeRoomState(room);
}

/** Whether OPFS still holds data of this room (for tests and the UI). */
export async function hasOpfsData(room: string): Promise<boolean> {
  try {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('p2p-share');
    await root.getDirectoryHandle(room);
    return true;
  } catch {
    return false;
  }
}
