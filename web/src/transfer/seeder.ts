/**
 * Seeder side: answers block requests (`req`: file, piece, offset, length) from one peer over one
 * data link, encrypting each block with the file key (IV/AAD from the block's position), with
 * bufferedAmount back-pressure. The sender serves from the dropped files, a receiver from its
 * stored, verified pieces (source.ts); either way the next block is read and encrypted while the
 * current one drains into the channel.
 */
import { encryptBlock } from '../crypto/keys';
import type { DataLink } from '../peer/link';
import type { TransferStats } from './stats';
import type { FileEntry } from './manifest';
import { pieceCount, pieceLength } from './pieces';
import { uploadScheduler } from './qos';
import { type ControlMessage, encodeBlock, encodeControl } from './wire';

export interface SeedFile {
  entry: FileEntry;
  blob: Blob;
  /** null when the manifest is plain (debug) */
  key: CryptoKey | null;
}

/** Where a seeder's pieces come from. */
export interface PieceSource {
  entry(f: number): FileEntry | undefined;
  /** null when the manifest is plain (debug) */
  key(f: number): CryptoKey | null;
  /** whether piece p of file f is held (verified) and may be served now */
  has(f: number, p: number): boolean;
  /** the whole plaintext piece */
  readPiece(f: number, p: number): Promise<Uint8Array>;
}

type BlockReq = Extract<ControlMessage, { t: 'req' }>;
interface Frame {
  len: number;
  buf: ArrayBuffer;
}

/** Bytes queued in the channel before the seeder waits (as in the raw bench: more only adds delay). */
export const HIGH_WATER = 4 * 1024 * 1024;
/**
 * Block requests one peer may have queued here; more are rejected. The downloader's window is at
 * most 64 blocks (pipeline.ts), so an honest peer never comes near it.
 */
export const MAX_QUEUED_REQUESTS = 256;

export interface SeedProgress {
  /** bytes of file f this receiver reported as verified */
  reported: Map<number, { bytes: number; done: boolean }>;
  /** plaintext bytes sent per file index */
  sent: Map<number, number>;
}

export class SeedSession {
  private queue: BlockReq[] = [];
  private running = false;
  private closed = false;
  /** pieces being corrupted on purpose (test hook corruptSentPieces) */
  private corrupting = new Set<string>();
  readonly progress: SeedProgress = { reported: new Map(), sent: new Map() };

  constructor(
    private readonly link: DataLink,
    private readonly source: PieceSource,
    private readonly stats: TransferStats,
    private readonly onChange: () => void = () => {},
  ) {}

  handle(msg: ControlMessage): void {
    switch (msg.t) {
      case 'reqs':
        for (const [r, f, p, o, n] of msg.q) this.handle({ t: 'req', r, f, p, o, n });
        break;
      case 'req':
        if (this.queue.length >= MAX_QUEUED_REQUESTS || !this.servable(msg)) {
          if (this.link.open) this.link.send(encodeControl({ t: 'reject', r: msg.r }));
          break;
        }
        this.queue.push(msg);
        void this.run();
        break;
      case 'cancel':
        this.queue = this.queue.filter((q) => q.f !== msg.f);
        break;
      case 'progress': {
        const entry = this.source.entry(msg.f);
        if (!entry || msg.bytes > entry.size) break;
        // "done" counts only with every byte verified: a link holder's report that a file arrived
        // while it claims fewer bytes must not make the sender show the file delivered
        const done = msg.done && msg.bytes === entry.size;
        this.progress.reported.set(msg.f, { bytes: msg.bytes, done });
        this.onChange();
        break;
      }
      default:
        break;
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  private servable(req: BlockReq): boolean {
    const entry = this.source.entry(req.f);
    if (!entry || req.p >= pieceCount(entry.size, entry.pieceSize)) return false;
    return (
      req.o + req.n <= pieceLength(entry.size, entry.pieceSize, req.p) &&
      this.source.has(req.f, req.p)
    );
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // read + encrypt the next block while the current one drains into the channel
    let ahead: { req: BlockReq; frame: Promise<Frame | null> } | null = null;
    try {
      while (!this.closed && this.queue.length > 0 && this.link.open) {
        const req = this.queue.shift()!;
        const frame = ahead && ahead.req === req ? ahead.frame : this.prepare(req);
        const following = this.queue[0];
        ahead = following ? { req: following, frame: this.prepare(following) } : null;
        await this.send(req, await frame);
      }
    } finally {
      this.running = false;
    }
  }

  private async prepare(req: BlockReq): Promise<Frame | null> {
    const entry = this.source.entry(req.f);
    if (!entry) return null;
    let piece: Uint8Array;
    try {
      piece = await this.source.readPiece(req.f, req.p);
    } catch {
      return null; // storage went away: the downloader's timeout asks someone else
    }
    const plain = piece.subarray(req.o, req.o + req.n);
    const key = this.source.key(req.f);
    let payload = key
      ? await encryptBlock(key, entry.id, req.p, req.p * entry.pieceSize + req.o, plain)
      : plain;
    if (__TEST_BUILD__ && this.corruptThis(req)) {
      payload = payload.slice();
      payload[payload.length >> 1]! ^= 0xa5;
    }
    return { len: req.n, buf: encodeBlock({ r: req.r, f: req.f, p: req.p, o: req.o }, payload) };
  }

  /** Test hook: every block of the next `corruptSentPieces` pieces served goes out corrupted. */
  private corruptThis(req: BlockReq): boolean {
    const k = `${req.f}:${req.p}`;
    if (this.corrupting.has(k)) return true;
    if (this.stats.corruptSentPieces <= 0) return false;
    this.stats.corruptSentPieces--;
    this.corrupting.add(k);
    return true;
  }

  /** The one place blocks leave: back-pressure first, then the channel. */
  private async send(req: BlockReq, frame: Frame | null): Promise<void> {
    if (this.closed || !this.link.open) return;
    if (!frame) {
      this.link.send(encodeControl({ t: 'reject', r: req.r }));
      return;
    }
    if (this.link.bufferedAmount > HIGH_WATER) await this.link.drained();
    await uploadScheduler.grant(req.f, frame.len); // QoS: upload cap + priority share (qos.ts)
    if (!this.link.open) return;
    this.link.send(frame.buf);
    this.stats.bytesSent += frame.len;
    this.progress.sent.set(req.f, (this.progress.sent.get(req.f) ?? 0) + frame.len);
    this.onChange();
  }
}
