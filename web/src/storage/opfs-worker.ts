/// <reference lib="webworker" />
/**
 * OPFS writer: a dedicated worker holding one synchronous access handle per file being received,
 * so pieces go straight to disk without ever assembling a file in memory.
 */
import type { WorkerRequest, WorkerResponse } from './protocol';
import { writeAll } from './sync-write';

interface SyncHandle {
  write(buf: Uint8Array, opts: { at: number }): number;
  read(buf: Uint8Array, opts: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

const handles = new Map<string, SyncHandle>();

async function dirFor(path: string): Promise<FileSystemDirectoryHandle> {
  let d = await navigator.storage.getDirectory();
  for (const part of path.split('/').filter(Boolean))
    d = await d.getDirectoryHandle(part, { create: true });
  return d;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'probe': {
      const d = await dirFor('p2p-share');
      const fh = await d.getFileHandle('.probe', { create: true });
      const h = await (
        fh as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }
      ).createSyncAccessHandle();
      h.close();
      return true;
    }
    case 'open': {
      // true: the file was there at its full size already (what an earlier visit stored)
      if (handles.has(req.name)) return true;
      const d = await dirFor(req.dir);
      const fh = await d.getFileHandle(req.name.split('/').pop()!, { create: true });
      // after a reload the previous page's worker may still hold the lock for a moment
      let h: SyncHandle | null = null;
      for (let attempt = 0; !h; attempt++) {
        try {
          h = await (
            fh as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }
          ).createSyncAccessHandle();
        } catch (e) {
          if (attempt >= 300) throw e; // 30 s
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const found = h.getSize() === req.size;
      if (!found) h.truncate(req.size);
      handles.set(req.name, h);
      return found;
    }
    case 'write': {
      const h = handles.get(req.name);
      if (!h) throw new Error('file not open');
      writeAll(h, req.data, req.offset);
      return true;
    }
    case 'finish': {
      // every piece was verified before it was written: flush, check the size, close
      const h = handles.get(req.name);
      if (!h) throw new Error('file not open');
      h.flush();
      const size = h.getSize();
      h.close();
      handles.delete(req.name);
      return size === req.size;
    }
    case 'read': {
      // a verified piece, to seed it; the handle is closed once the file was verified
      const out = new Uint8Array(req.length);
      const h = handles.get(req.name);
      if (h) {
        let got = 0;
        while (got < req.length) {
          const n = h.read(out.subarray(got), { at: req.offset + got });
          if (n <= 0) break;
          got += n;
        }
        return out;
      }
      const parts = req.name.split('/');
      const d = await dirFor(parts.slice(0, -1).join('/'));
      const file = await (await d.getFileHandle(parts[parts.length - 1]!)).getFile();
      out.set(new Uint8Array(await file.slice(req.offset, req.offset + req.length).arrayBuffer()));
      return out;
    }
    case 'close': {
      handles.get(req.name)?.close();
      handles.delete(req.name);
      return true;
    }
  }
}

// one request at a time, in order (sync handles are not re-entrant)
let chain: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  chain = chain.then(async () => {
    let res: WorkerResponse;
    try {
      res = { id: req.id, ok: true, value: await handle(req) };
    } catch (e) {
      res = {
        id: req.id,
        ok: false,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      };
    }
    (self as unknown as { postMessage(m: unknown): void }).postMessage(res);
  });
};
