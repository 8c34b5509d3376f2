/**
 * Sender side: answers piece requests from one receiver over one data link, encrypting each block
 * with the file key, with bufferedAmount back-pressure. Reads one piece at a time from the Blob,
 * so a file is never held in memory.
 */
import { encryptBlock } from '../crypto/keys';
import type { DataLink, TransferStats } from './link';
import type { FileEntry } from './manifest';
import { uploadScheduler } from './qos';
import { blocksOfPiece, pieceCount } from './pieces';
import { type ControlMessage, encodeBlock } from './wire';

export interface SeedFile {
  entry: FileEntry;
  blob: Blob;
  /** null when the manifest is plain (debug) */
  key: CryptoKey | null;
}

type GetReq = Extract<ControlMessage, { t: 'get' }>;
interface Frame {
  len: number;
  buf: ArrayBuffer;
}

export const HIGH_WATER = 8 * 1024 * 1024;

export interface SeedProgress {
  /** bytes of file f this receiver reported as verified */
  reported: Map<number, { bytes: number; done: boolean }>;
  /** plaintext bytes sent per file index */
  sent: Map<number, number>;
}

export class SeedSession {
  private queue: GetReq[] = [];
  private running = false;
  private closed = false;
  readonly progress: SeedProgress = { reported: new Map(), sent: new Map() };

  constructor(
    private readonly link: DataLink,
    private readonly files: () => SeedFile[],
    private readonly stats: TransferStats,
    private readonly onChange: () => void = () => {},
  ) {}

  handle(msg: ControlMessage): void {
    switch (msg.t) {
      case 'get':
        this.queue.push(msg);
        void this.run();
        break;
      case 'cancel':
        this.queue = this.queue.filter((q) => q.f !== msg.f);
        break;
      case 'progress':
        this.progress.reported.set(msg.f, { bytes: msg.bytes, done: msg.done });
        this.onChange();
        break;
      default:
        break;
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // read + encrypt the next piece while the current one drains into the channel
    let ahead: { req: GetReq; frames: Promise<Frame[] | null> } | null = null;
    try {
      while (!this.closed && this.queue.length > 0 && this.link.open) {
        const req = this.queue.shift()!;
        const frames: Promise<Frame[] | null> =
          ahead && ahead.req === req ? ahead.frames : this.prepare(req);
        const following = this.queue[0];
        ahead = following ? { req: following, frames: this.prepare(following) } : null;
        await this.sendFrames(req, await frames);
      }
    } finally {
      this.running = false;
    }
  }

  private async prepare(req: GetReq): Promise<Frame[] | null> {
    const file = this.files()[req.f];
    if (!file || req.p >= pieceCount(file.entry.size, file.entry.pieceSize)) return null;
    const { entry } = file;
    const start = req.p * entry.pieceSize;
    const spans = blocksOfPiece(entry.size, entry.pieceSize, entry.blockSize, req.p);
    const end = start + spans.reduce((a, s) => a + s.length, 0);
    const piece = new Uint8Array(await file.blob.slice(start, end).arrayBuffer());
    return Promise.all(
      spans.map(async (s) => {
        const plain = piece.subarray(s.offset - start, s.offset - start + s.length);
        const payload = file.key
          ? await encryptBlock(file.key, entry.id, req.p, s.offset, plain)
          : plain;
        return {
          len: s.length,
          buf: encodeBlock({ r: req.r, f: req.f, p: req.p, b: s.index }, payload),
        };
      }),
    );
  }

  private async sendFrames(req: GetReq, frames: Frame[] | null): Promise<void> {
    if (!frames) return;
    for (const fr of frames) {
      if (this.closed || !this.link.open) return;
      if (this.link.bufferedAmount > HIGH_WATER) await this.link.drained();
      await uploadScheduler.grant(req.f, fr.len); // QoS: upload cap + priority share (qos.ts)
      if (!this.link.open) return;
      this.link.send(fr.buf);
      this.stats.bytesSent += fr.len;
      this.progress.sent.set(req.f, (this.progress.sent.get(req.f) ?? 0) + fr.len);
    }
    this.onChange();
  }
}
