/**
 * The sender's piece hasher: hashes a file in the hash worker (transfer/hash-worker.ts) and hands
 * the piece hashes back in batches while the page goes on serving; without Worker support (unit
 * tests, very old browsers) the same loop runs on the main thread.
 */
import { hashPieces, type HashRequest, type HashResponse } from './hash-pieces';

export type HashBatch = (from: number, hashes: Uint8Array) => void;

interface Job {
  batch: HashBatch;
  resolve(): void;
  reject(e: Error): void;
}

let worker: Worker | null | undefined;
let nextId = 1;
const jobs = new Map<number, Job>();

function hashWorker(): Worker | null {
  if (worker !== undefined) return worker;
  worker = null;
  if (typeof Worker === 'undefined') return null;
  try {
    worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
  worker.onmessage = (ev: MessageEvent<HashResponse>) => {
    const m = ev.data;
    const job = jobs.get(m.id);
    if (!job) return;
    if ('hashes' in m) {
      job.batch(m.from, m.hashes);
      return;
    }
    jobs.delete(m.id);
    if ('error' in m) job.reject(new Error(m.error));
    else job.resolve();
  };
  return worker;
}

/** Hashes every piece of `blob`; `batch` gets them in order, resolves when all are in. */
export function hashFile(blob: Blob, pieceSize: number, batch: HashBatch): Promise<void> {
  const w = hashWorker();
  if (!w) return hashPieces(blob, pieceSize, batch);
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    jobs.set(id, { batch, resolve, reject });
    const req: HashRequest = { id, blob, pieceSize };
    w.postMessage(req);
  });
}
