/**
 * Where received pieces go. OPFS through a worker with sync access handles when the browser has
 * it; otherwise IndexedDB (one Blob per piece, via idb). Both survive a reload of the tab, and
 * neither holds a whole file in memory.
 */
import { type IDBPDatabase, openDB } from 'idb';
import type { PieceSink } from '../transfer/download-file';
import type { Manifest } from '../transfer/manifest';
import { pieceCount } from '../transfer/pieces';
import type { WorkerRequest, WorkerResponse } from './protocol';

export interface FileStore extends PieceSink {
  readonly kind: 'opfs' | 'idb';
  /** prepares the storage of every file (idempotent; keeps what an earlier visit stored) */
  open(): Promise<void>;
  /**
   * Whether open() found what an earlier visit stored of this file. False: the file was not
   * there (or not at its size), so the pieces a saved bitfield lists for it must be fetched again.
   */
  found(fileId: string): boolean;
  /** the finished file as a (disk-backed) Blob */
  getFile(index: number): Promise<Blob>;
  /** stored bytes of a file (pieces already written), to seed them to other receivers */
  read(fileId: string, offset: number, length: number): Promise<Uint8Array>;
  /** a newer version of the same files (more piece hashes, roots, files) */
  setManifest(m: Manifest): void;
}

type Req = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

class WorkerClient {
  private next = 1;
  private waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  constructor(private readonly w: Worker) {
    w.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      const p = this.waiting.get(ev.data.id);
      if (!p) return;
      this.waiting.delete(ev.data.id);
      if (ev.data.ok) p.resolve(ev.data.value);
      else p.reject(new Error(ev.data.error));
    };
  }
  call(req: Req, transfer: Transferable[] = []): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.w.postMessage({ ...req, id }, transfer);
    });
  }
}

let worker: WorkerClient | null = null;
let opfsOk: Promise<boolean> | null = null;

function getWorker(): WorkerClient {
  worker ??= new WorkerClient(
    new Worker(new URL('./opfs-worker.ts', import.meta.url), { type: 'module' }),
  );
  return worker;
}

/** Feature-detects OPFS with sync access handles (in the worker, where they exist). */
export function opfsAvailable(): Promise<boolean> {
  opfsOk ??= (async () => {
    if (typeof Worker === 'undefined' || !navigator.storage?.getDirectory) return false;
    try {
      return (
        (await Promise.race([
          getWorker().call({ op: 'probe' }),
          new Promise((r) => setTimeout(() => r(false), 3000)),
        ])) === true
      );
    } catch {
      return false;
    }
  })();
  return opfsOk;
}

class OpfsStore implements FileStore {
  readonly kind = 'opfs';
  private readonly dir: string;
  private readonly present = new Set<string>();
  constructor(
    room: string,
    private manifest: Manifest,
  ) {
    this.dir = `p2p-share/${room}`;
  }
  setManifest(m: Manifest): void {
    this.manifest = m;
  }
  private name(fileId: string) {
    return `${this.dir}/${fileId}`;
  }
  async open(): Promise<void> {
    for (const f of this.manifest.files) {
      const req = { op: 'open', dir: this.dir, name: this.name(f.id), size: f.size } as const;
      if ((await getWorker().call(req)) === true) this.present.add(f.id);
    }
  }
  found(fileId: string): boolean {
    return this.present.has(fileId);
  }
  async write(fileId: string, offset: number, data: Uint8Array): Promise<void> {
    // a piece buffer of its own is handed over to the worker, not copied (the caller drops it)
    const own =
      data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    await getWorker().call({ op: 'write', name: this.name(fileId), offset, data: own }, [
      own.buffer,
    ]);
  }
  async finish(index: number): Promise<boolean> {
    const f = this.manifest.files[index]!;
    await getWorker().call({ op: 'open', dir: this.dir, name: this.name(f.id), size: f.size });
    return (await getWorker().call({ op: 'finish', name: this.name(f.id), size: f.size })) === true;
  }
  async read(fileId: string, offset: number, length: number): Promise<Uint8Array> {
    return (await getWorker().call({
      op: 'read',
      name: this.name(fileId),
      offset,
      length,
    })) as Uint8Array;
  }
  async getFile(index: number): Promise<Blob> {
    const f = this.manifest.files[index]!;
    let d = await navigator.storage.getDirectory();
    for (const part of this.dir.split('/')) d = await d.getDirectoryHandle(part, { create: true });
    const file = await (await d.getFileHandle(f.id)).getFile();
    return new Blob([file], { type: f.type });
  }
}

interface PieceRow {
  key: string;
  blob: Blob;
}

let idbPieces: Promise<IDBPDatabase> | null = null;
function piecesDb(): Promise<IDBPDatabase> {
  idbPieces ??= openDB('p2p-share-pieces', 1, {
    upgrade(db) {
      db.createObjectStore('pieces', { keyPath: 'key' });
    },
  });
  return idbPieces;
}

class IdbStore implements FileStore {
  readonly kind = 'idb';
  constructor(
    private readonly room: string,
    private manifest: Manifest,
  ) {}
  setManifest(m: Manifest): void {
    this.manifest = m;
  }
  private key(fileId: string, piece: number) {
    return `${this.room}/${fileId}/${piece}`;
  }
  async open(): Promise<void> {
    await piecesDb();
  }
  found(): boolean {
    return true; // one row per piece: finish() checks that each is there
  }
  async write(fileId: string, offset: number, data: Uint8Array): Promise<void> {
    const f = this.manifest.files.find((x) => x.id === fileId)!;
    const row: PieceRow = {
      key: this.key(fileId, Math.floor(offset / f.pieceSize)),
      blob: new Blob([data.slice()]),
    };
    await (await piecesDb()).put('pieces', row);
  }
  private async parts(index: number): Promise<Blob[]> {
    const f = this.manifest.files[index]!;
    const db = await piecesDb();
    const out: Blob[] = [];
    for (let p = 0; p < pieceCount(f.size, f.pieceSize); p++) {
      const row = (await db.get('pieces', this.key(f.id, p))) as PieceRow | undefined;
      if (!row) throw new Error(`piece ${p} missing`);
      out.push(row.blob);
    }
    return out;
  }
  async finish(index: number): Promise<boolean> {
    // every piece was verified before it was written: each one only has to be there
    const f = this.manifest.files[index]!;
    const db = await piecesDb();
    for (let p = 0; p < pieceCount(f.size, f.pieceSize); p++)
      if ((await db.getKey('pieces', this.key(f.id, p))) === undefined) return false;
    return true;
  }
  async read(fileId: string, offset: number, length: number): Promise<Uint8Array> {
    const f = this.manifest.files.find((x) => x.id === fileId)!;
    const p = Math.floor(offset / f.pieceSize);
    const row = (await (await piecesDb()).get('pieces', this.key(fileId, p))) as
      PieceRow | undefined;
    if (!row) throw new Error(`piece ${p} missing`);
    const at = offset - p * f.pieceSize;
    return new Uint8Array(await row.blob.slice(at, at + length).arrayBuffer());
  }
  async getFile(index: number): Promise<Blob> {
    return new Blob(await this.parts(index), { type: this.manifest.files[index]!.type });
  }
}

export async function createFileStore(
  room: string,
  manifest: Manifest,
  prefer?: 'opfs' | 'idb',
): Promise<FileStore> {
  const useOpfs = prefer !== 'idb' && (await opfsAvailable());
  const s = useOpfs ? new OpfsStore(room, manifest) : new IdbStore(room, manifest);
  await s.open();
  return s;
}
