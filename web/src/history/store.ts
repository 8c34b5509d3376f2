/** The history in IndexedDB (its own database, `p2p-share-history`, via idb). */
import { type IDBPDatabase, openDB } from 'idb';
import type { HistoryEntry } from './model';

let db: Promise<IDBPDatabase> | null = null;
function open(): Promise<IDBPDatabase> {
  db ??= openDB('p2p-share-history', 1, {
    upgrade(d) {
      d.createObjectStore('transfers', { keyPath: 'id' });
    },
  });
  return db;
}

export async function putEntry(e: HistoryEntry): Promise<void> {
  await (await open()).put('transfers', e);
}

export async function getEntry(id: string): Promise<HistoryEntry | undefined> {
  return (await (await open()).get('transfers', id)) as HistoryEntry | undefined;
}

/** Newest first. */
export async function listEntries(): Promise<HistoryEntry[]> {
  const all = (await (await open()).getAll('transfers')) as HistoryEntry[];
  return all.sort((a, b) => b.updated - a.updated);
}

export async function deleteEntry(id: string): Promise<void> {
  await (await open()).delete('transfers', id);
}

/** Pins (stores the link with its key) or unpins (forgets the key). */
export async function setPinned(
  id: string,
  link: string | null,
): Promise<HistoryEntry | undefined> {
  const d = await open();
  const e = (await d.get('transfers', id)) as HistoryEntry | undefined;
  if (!e) return undefined;
  if (link) e.link = link;
  else delete e.link;
  await d.put('transfers', e);
  return e;
}
