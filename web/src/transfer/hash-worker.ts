/// <reference lib="webworker" />
/**
 * Piece hashing off the main thread: the sender's page hands a file (Blob) to this worker, which
 * reads it in large slices and answers the SHA-256 of each piece, a batch per slice, so the page
 * can offer the file at once and publish the hashes as they come (transfer/hasher.ts).
 */
import { hashPieces, type HashRequest, type HashResponse } from './hash-pieces';

const post = (m: HashResponse, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(
    m,
    transfer,
  );

// one file at a time, in order: the page hashes files in the order they were offered
let chain: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<HashRequest>) => {
  const req = ev.data;
  chain = chain.then(async () => {
    try {
      await hashPieces(req.blob, req.pieceSize, (from, hashes) =>
        post({ id: req.id, from, hashes }, [hashes.buffer]),
      );
      post({ id: req.id, done: true });
    } catch (e) {
      post({ id: req.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  });
};
