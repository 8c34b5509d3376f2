/**
 * Receiver side: requests pieces (sequential-first, a window of pieces in flight), reassembles
 * their blocks, decrypts and verifies each piece against its SHA-256, writes verified pieces to a
 * sink and records them in a bitfield. A piece that fails authentication or its hash is dropped and
 * requested again — only that piece.
 */
import { fromBase64Url } from '../crypto/bytes';
import { decryptBlock, TamperedError } from '../crypto/keys';
import type { DataLink, TransferStats } from './link';
import { type Manifest, sha256 } from './manifest';
import { Bitfield, blockCount, pieceCount, pieceLength, verifiedBytes } from './pieces';
import { canTransition, type FileEvent, type FileState, transition } from './state';
import { decodeBlock } from './wire';

export interface PieceSink {
  /** writes verified bytes at an absolute offset of file `fileId` */
  write(fileId: string, offset: number, data: Uint8Array): Promise<void>;
  /** all pieces are in: check the stored file against its root hash and close it */
  finish(fileIndex: number): Promise<boolean>;
}

export interface DownloadFile {
  index: number;
  state: FileState;
  accepted: boolean;
  have: Bitfield;
  bytes: number;
  error?: string;
}

interface Pending {
  r: number;
  f: number;
  p: number;
  buf: Uint8Array;
  got: number;
  expected: number;
  bad: boolean;
}

export interface DownloaderOptions {
  /** pieces in flight */
  window?: number;
  onChange?: (fileIndex: number) => void;
  /** a piece got verified (persist the bitfield) */
  onPiece?: (fileIndex: number) => void;
  /** QoS: at most this many bytes per second requested (0/undefined: unlimited) */
  maxBytesPerSec?: number;
}

export class Downloader {
  readonly files: DownloadFile[];
  private link: DataLink | null = null;
  private pending = new Map<number, Pending>();
  private retry: { f: number; p: number }[] = [];
  private nextReq = 1;
  private readonly window: number;
  private finishing = new Set<number>();
  private budgetStart = 0;
  private budgetBytes = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly manifest: Manifest,
    private readonly fileKeys: (CryptoKey | null)[],
    private readonly sink: PieceSink,
    private readonly stats: TransferStats,
    have: (Bitfield | undefined)[] = [],
    private readonly opts: DownloaderOptions = {},
  ) {
    this.window = opts.window ?? 8;
    this.files = manifest.files.map((e, index) => {
      const n = pieceCount(e.size, e.pieceSize);
      const bf = have[index] && have[index].length === n ? have[index] : new Bitfield(n);
      return {
        index,
        state: 'waiting' as FileState,
        accepted: false,
        have: bf,
        bytes: verifiedBytes(e.size, e.pieceSize, bf),
      };
    });
  }

  /** Sets (or clears) the link pieces come from; requests in flight are asked again on the new one. */
  setLink(link: DataLink | null): void {
    this.link = link;
    for (const p of this.pending.values()) this.retry.push({ f: p.f, p: p.p });
    this.pending.clear();
    this.pump();
  }

  accept(indices?: number[]): void {
    for (const f of this.files) {
      if (indices && !indices.includes(f.index)) continue;
      if (f.accepted) continue;
      f.accepted = true;
      if (f.state === 'waiting') this.fire(f, 'start');
      this.maybeFinish(f);
    }
    this.pump();
  }

  pause(i: number): void {
    const f = this.files[i];
    if (!f || !canTransition(f.state, 'pause')) return;
    this.fire(f, 'pause');
    this.dropFile(i);
  }

  resume(i: number): void {
    const f = this.files[i];
    if (!f || f.state !== 'paused') return;
    this.fire(f, 'resume');
    this.maybeFinish(f);
    this.pump();
  }

  cancel(i: number): void {
    const f = this.files[i];
    if (!f || !canTransition(f.state, 'cancel')) return;
    f.error = 'cancelled';
    this.fire(f, 'cancel');
    this.dropFile(i);
  }

  totals(): { size: number; bytes: number } {
    let size = 0;
    let bytes = 0;
    for (const f of this.files) {
      if (!f.accepted) continue;
      size += this.manifest.files[f.index]!.size;
      bytes += f.bytes;
    }
    return { size, bytes };
  }

  /** A binary frame from the link. */
  async handleBlock(buf: ArrayBuffer): Promise<void> {
    const blk = decodeBlock(buf);
    if (!blk) return;
    const pend = this.pending.get(blk.h.r);
    if (!pend || pend.f !== blk.h.f || pend.p !== blk.h.p) return; // stale (cancelled / re-asked)
    const entry = this.manifest.files[pend.f]!;
    let payload = blk.payload;
    this.stats.bytesReceived += payload.length;
    if (this.stats.corruptNextBlocks > 0) {
      this.stats.corruptNextBlocks--;
      payload = payload.slice();
      payload[payload.length >> 1]! ^= 0x5a;
    }
    const offsetInPiece = blk.h.b * entry.blockSize;
    const absOffset = pend.p * entry.pieceSize + offsetInPiece;
    try {
      const key = this.fileKeys[pend.f] ?? null;
      const plain = key ? await decryptBlock(key, entry.id, pend.p, absOffset, payload) : payload;
      if (offsetInPiece + plain.length > pend.buf.length) throw new TamperedError('block overflow');
      pend.buf.set(plain, offsetInPiece);
    } catch {
      pend.bad = true;
    }
    pend.got++;
    if (pend.got === pend.expected) await this.completePiece(pend);
  }

  private async completePiece(pend: Pending): Promise<void> {
    if (this.pending.get(pend.r) !== pend) return;
    const entry = this.manifest.files[pend.f]!;
    const f = this.files[pend.f]!;
    let ok = !pend.bad;
    if (ok && !this.manifest.plain) {
      const h = await sha256(pend.buf);
      const want = fromBase64Url(entry.pieces[pend.p]!);
      ok = h.every((b, i) => b === want[i]);
    }
    if (!ok) {
      this.pending.delete(pend.r);
      this.stats.piecesFailed++;
      if (f.state === 'transferring') this.retry.unshift({ f: pend.f, p: pend.p });
      this.pump();
      return;
    }
    await this.sink.write(entry.id, pend.p * entry.pieceSize, pend.buf);
    // stays "in flight" until recorded, so pump() does not ask for it again meanwhile
    this.pending.delete(pend.r);
    if (!f.have.has(pend.p)) {
      f.have.set(pend.p);
      f.bytes += pend.buf.length;
      this.stats.bytesVerified += pend.buf.length;
      this.stats.piecesVerified++;
    }
    this.opts.onPiece?.(pend.f);
    this.opts.onChange?.(pend.f);
    this.maybeFinish(f);
    this.pump();
  }

  private maybeFinish(f: DownloadFile): void {
    if (f.state !== 'transferring' || !f.have.complete() || this.finishing.has(f.index)) return;
    this.finishing.add(f.index);
    void this.sink
      .finish(f.index)
      .then(
        (ok) => {
          if (ok) {
            this.fire(f, 'complete');
          } else {
            // the stored file does not match its root: start that file over
            f.error = 'stored file failed its whole-file hash; fetching again';
            f.have = new Bitfield(f.have.length);
            f.bytes = 0;
            this.opts.onPiece?.(f.index);
          }
        },
        (e: unknown) => {
          f.error = String(e);
          this.fire(f, 'fail');
        },
      )
      .finally(() => {
        this.finishing.delete(f.index);
        this.opts.onChange?.(f.index);
        this.pump();
      });
  }

  private dropFile(i: number): void {
    for (const [r, p] of this.pending) if (p.f === i) this.pending.delete(r);
    this.retry = this.retry.filter((x) => x.f !== i);
    if (this.link?.open) this.link.send(JSON.stringify({ t: 'cancel', f: i }));
    this.pump();
  }

  private fire(f: DownloadFile, ev: FileEvent): void {
    f.state = transition(f.state, ev);
    this.opts.onChange?.(f.index);
  }

  private isInFlight(f: number, p: number): boolean {
    for (const x of this.pending.values()) if (x.f === f && x.p === p) return true;
    return false;
  }

  private pickNext(): { f: number; p: number } | null {
    while (this.retry.length > 0) {
      const x = this.retry.shift()!;
      const f = this.files[x.f]!;
      if (f.state === 'transferring' && !f.have.has(x.p) && !this.isInFlight(x.f, x.p)) return x;
    }
    for (const f of this.files) {
      if (f.state !== 'transferring' || !f.accepted) continue;
      let p = f.have.nextMissing(0);
      while (p !== -1 && this.isInFlight(f.index, p)) p = f.have.nextMissing(p + 1);
      if (p !== -1) return { f: f.index, p };
    }
    return null;
  }

  /** Rate limit: true (and a later pump scheduled) when the requested bytes are ahead of the rate. */
  private overBudget(): boolean {
    const rate = this.opts.maxBytesPerSec;
    if (!rate) return false;
    const now = Date.now();
    if (now - this.budgetStart > 2000) {
      this.budgetStart = now - 1;
      this.budgetBytes = 0;
    }
    const allowed = ((now - this.budgetStart) / 1000) * rate + rate / 4;
    if (this.budgetBytes < allowed) return false;
    if (!this.pumpTimer) {
      const wait = Math.max(10, ((this.budgetBytes - allowed) / rate) * 1000);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, wait);
    }
    return true;
  }

  /** Keeps `window` piece requests in flight. */
  pump(): void {
    const link = this.link;
    if (!link || !link.open) return;
    while (this.pending.size < this.window) {
      if (this.overBudget()) break;
      const next = this.pickNext();
      if (!next) break;
      const entry = this.manifest.files[next.f]!;
      this.budgetBytes += pieceLength(entry.size, entry.pieceSize, next.p);
      const r = this.nextReq++;
      this.pending.set(r, {
        r,
        f: next.f,
        p: next.p,
        buf: new Uint8Array(pieceLength(entry.size, entry.pieceSize, next.p)),
        got: 0,
        expected: blockCount(entry.size, entry.pieceSize, entry.blockSize, next.p),
        bad: false,
      });
      link.send(JSON.stringify({ t: 'get', r, f: next.f, p: next.p }));
    }
  }
}
