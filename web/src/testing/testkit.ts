/** Test helpers: an in-memory pair of links and a memory sink (used by unit tests only). */
import { type Downloader, type PieceSink } from '../transfer/downloader';
import type { DataLink } from '../peer/link';
import { newStats } from '../transfer/stats';
import type { Manifest } from '../transfer/manifest';
import { rootHash, sha256 } from '../transfer/manifest';
import { Bitfield, pieceCount } from '../transfer/pieces';
import { type PieceSource, SeedSession } from '../transfer/seeder';
import { parseControl } from '../transfer/wire';

export class MemLink implements DataLink {
  open = true;
  bufferedAmount = 0;
  peer!: MemLink;
  onMessage: (d: string | ArrayBuffer) => void = () => {};
  sent: (string | ArrayBuffer)[] = [];
  send(data: string | ArrayBuffer): void {
    if (!this.open) throw new Error('closed');
    this.sent.push(data);
    const size = typeof data === 'string' ? data.length : data.byteLength;
    this.bufferedAmount += size;
    setTimeout(() => {
      this.bufferedAmount -= size;
      if (this.peer.open) this.peer.onMessage(data);
    }, 0);
  }
  drained(): Promise<void> {
    return new Promise((r) => setTimeout(r, 1));
  }
  static pair(): [MemLink, MemLink] {
    const a = new MemLink();
    const b = new MemLink();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }
}

export class MemSink implements PieceSink {
  data = new Map<string, Uint8Array>();
  writes = 0;
  constructor(private readonly manifest: Manifest) {
    for (const f of manifest.files) this.data.set(f.id, new Uint8Array(f.size));
  }
  async write(fileId: string, offset: number, d: Uint8Array): Promise<void> {
    this.writes++;
    this.data.get(fileId)!.set(d, offset);
  }
  async finish(i: number): Promise<boolean> {
    const f = this.manifest.files[i]!;
    const buf = this.data.get(f.id)!;
    const hs: Uint8Array[] = [];
    for (let p = 0; p < pieceCount(f.size, f.pieceSize); p++)
      hs.push(await sha256(buf.subarray(p * f.pieceSize, Math.min(f.size, (p + 1) * f.pieceSize))));
    return (await rootHash(f.size, hs)) === f.root;
  }
}

export function pattern(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A seeder wired to a downloader over an in-memory link, announcing the pieces `holds` allows. */
export function seederFor(
  dl: Downloader,
  source: PieceSource,
  id: string,
  holds: (f: number, p: number) => boolean = () => true,
) {
  const [a, b] = MemLink.pair();
  const stats = newStats();
  const session = new SeedSession(
    a,
    { ...source, has: (f, p) => holds(f, p) && source.has(f, p) },
    stats,
  );
  a.onMessage = (d) => {
    const m = typeof d === 'string' ? parseControl(d) : null;
    if (m) session.handle(m);
  };
  b.onMessage = (d) => {
    if (typeof d !== 'string') {
      void dl.handleBlock(id, d);
      return;
    }
    const m = parseControl(d);
    if (m?.t === 'reject') dl.rejected(id, m.r);
  };
  const peer = dl.swarm.add(id, b);
  for (const [f, e] of dl.manifest.files.entries()) {
    const bits = new Bitfield(pieceCount(e.size, e.pieceSize));
    for (let p = 0; p < bits.length; p++) if (holds(f, p)) bits.set(p);
    peer.setBitfield(f, bits.bits);
  }
  return {
    a,
    b,
    stats,
    session,
    peer,
    /** the seeder goes away (tab closed) */
    leave() {
      a.open = false;
      b.open = false;
      dl.swarm.remove(id);
      dl.peerLeft(id);
    },
  };
}
