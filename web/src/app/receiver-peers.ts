/**
 * A receiver's links to the other peers of the room, and what it tells them: to the sender, how
 * far it is (`progress`); to other receivers, which pieces it holds (`bitfield`, `have`; empty
 * while it does not seed). Also takes the pieces they announce into the swarm, bounded by the
 * adopted manifest.
 */
import type { DataLink } from '../peer/link';
import type { Downloader } from '../transfer/downloader';
import type { Manifest } from '../transfer/manifest';
import { Bitfield, pieceCount } from '../transfer/pieces';
import type { SeedSession } from '../transfer/seeder';
import { Swarm } from '../transfer/swarm';
import {
  type ControlMessage,
  decodeBits,
  encodeBits,
  encodeControl,
  type ManifestAssembler,
} from '../transfer/wire';

/** A data link to another peer of the room: the sender, or another receiver. */
export interface PeerConn {
  link: DataLink;
  asm: ManifestAssembler;
  /** the peer's role when the link opened ('s': the sender) */
  role: string | undefined;
  /** serves our verified pieces to it */
  seed: SeedSession;
}

/** What the peers' part reads of its session. */
export interface ReceiverView {
  dl(): Downloader | null;
  manifest(): Manifest | null;
  seeding(): boolean;
}

export class ReceiverPeers {
  readonly swarm = new Swarm();
  /** control frames refused as out of bounds (piece index, file index, bitfield length) */
  framesRefused = 0;
  private readonly conns = new Map<string, PeerConn>();

  constructor(private readonly view: ReceiverView) {}

  get(id: string): PeerConn | undefined {
    return this.conns.get(id);
  }

  add(id: string, c: PeerConn): void {
    this.conns.set(id, c);
    this.swarm.add(id, c.link);
  }

  remove(id: string): void {
    this.conns.get(id)?.seed.close();
    this.conns.delete(id);
    this.swarm.remove(id);
  }

  senders(): PeerConn[] {
    return [...this.conns.values()].filter((c) => c.role === 's');
  }

  /** Links to the other receivers, but the one on `except`. */
  receiverLinks(except?: DataLink): DataLink[] {
    return [...this.conns.values()]
      .filter((c) => c.role !== 's' && c.link !== except)
      .map((c) => c.link);
  }

  /** Our bitfields (all empty while not seeding), to one peer. Not to the sender: it has all. */
  announceTo(link: DataLink): void {
    const dl = this.view.dl();
    if (!dl || !link.open) return;
    for (const f of dl.files) {
      const bits = this.view.seeding() ? f.have : new Bitfield(f.have.length);
      link.send(encodeControl({ t: 'bitfield', f: f.index, bits: encodeBits(bits) }));
    }
  }

  /** Our bitfields to the other receivers (`andSender`: to the sender too). */
  announceAll(andSender = false): void {
    for (const c of this.conns.values()) if (andSender || c.role !== 's') this.announceTo(c.link);
  }

  /** A piece was verified: tell the other receivers (p = -1: a file started over). */
  announcePiece(f: number, p: number): void {
    if (!this.view.seeding()) return;
    if (p < 0) {
      this.announceAll();
      return;
    }
    const msg = encodeControl({ t: 'have', f, p });
    for (const link of this.receiverLinks()) if (link.open) link.send(msg);
  }

  /** Tells the sender how far we are with file i (it shows it on its side). */
  report(i: number): void {
    const f = this.view.dl()?.files[i];
    if (!f) return;
    const msg = encodeControl({ t: 'progress', f: i, bytes: f.bytes, done: f.state === 'done' });
    for (const c of this.senders()) if (c.link.open) c.link.send(msg);
  }

  reportAll(): void {
    for (const f of this.view.dl()?.files ?? [])
      if (f.bytes > 0 || f.state === 'done') this.report(f.index);
  }

  /** A peer's `bitfield` or `have`: kept when it fits the adopted manifest (else counted refused). */
  takeAnnouncement(id: string, m: Extract<ControlMessage, { t: 'bitfield' } | { t: 'have' }>) {
    const n = this.piecesOf(m.f);
    const peer = this.swarm.peers.get(id);
    if (m.t === 'bitfield') {
      const bits = decodeBits(m.bits);
      const ok = !!bits && (n === null || (n >= 0 && bits.length <= Math.ceil(n / 8)));
      if (!ok || !peer?.setBitfield(m.f, bits)) this.framesRefused++;
    } else if ((n !== null && m.p >= n) || !peer?.setHave(m.f, m.p)) this.framesRefused++;
    this.view.dl()?.pump();
  }

  /** The links as the e2e suites read them in debug(). */
  debug() {
    const all = [...this.conns.entries()];
    return {
      // links to the sender (the e2e suite waits for one)
      seeders: all.filter(([, c]) => c.role === 's').map(([id]) => id),
      peerLinks: all.map(([id, c]) => ({ id, role: c.role })),
    };
  }

  /** Pieces of file f by the adopted manifest (-1 when no such file), null before a manifest. */
  private piecesOf(f: number): number | null {
    const manifest = this.view.manifest();
    if (!manifest) return null;
    const e = manifest.files[f];
    return e ? pieceCount(e.size, e.pieceSize) : -1;
  }
}
