/**
 * The receiver: joins the room from the link, opens the sealed manifest with the fragment key,
 * downloads accepted files from every peer that holds pieces (the sender and other receivers),
 * persists progress (IndexedDB + OPFS) so that reopening the link continues where it stopped, and
 * — unless the user opts out — seeds its verified pieces to the other receivers while the tab is
 * open. A manifest is adopted only when it verifies against the link's signer (crypto/signing)
 * and is newer (`seq`) than the one held, from whichever peer relayed it; receivers relay the
 * sealed, signed manifest they adopted to the other peers, so a late receiver can start from
 * them while the sender is away. Versions grow while the sender hashes (growth.ts): a newer one
 * that keeps everything the held one says extends the running download in place; one that
 * contradicts it is refused whatever its seq.
 */

import {
  deriveFileKey,
  importRoomKey,
  openManifest,
  type RoomKeys,
  type SealedBox,
  WrongKeyError,
} from '../crypto/keys';
import { parseLinkFragment } from '../crypto/link';
import { SignatureError, verifySignedManifest } from '../crypto/signing';
import { Mesh } from '../peer/mesh';
import { connectionDebug } from './debug';
import { locateRoom } from '../signaling/api';
import { browserSocket, SignalingClient } from '../signaling/client';
import { browserProblems } from '../signaling/problems';
import { createFileStore, type FileStore } from '../storage/files';
import { checkSpace, loadRoomState, NoSpaceError, saveRoomState } from '../storage/state';
import { isNoSpace } from '../storage/sync-write';
import { type DownloadFile, Downloader } from '../transfer/downloader';
import type { DataLink } from '../peer/link';
import { manifestChange } from '../transfer/growth';
import { newStats } from '../transfer/stats';
import { decodeManifest, type Manifest } from '../transfer/manifest';
import { Bitfield, pieceCount } from '../transfer/pieces';
import { SeedSession } from '../transfer/seeder';
import { storeSource } from '../transfer/source';
import { Swarm } from '../transfer/swarm';
import {
  type ControlMessage,
  decodeBits,
  encodeBits,
  encodeControl,
  ManifestAssembler,
  manifestFrames,
  parseControl,
} from '../transfer/wire';

export type ErrorCode = 'wrong-key' | 'no-space' | 'peer-gone' | 'signaling' | 'storage';

export interface ReceiverOptions {
  overrideUrl?: string | null;
  storage?: 'opfs' | 'idb';
  quotaOverride?: number;
  /** QoS / test hook: cap the download rate (bytes per second) */
  maxBytesPerSec?: number;
  /** seconds without any sender before `peer-gone` shows */
  peerGoneAfterMs?: number;
  /** seed verified pieces to other receivers (default on) */
  seed?: boolean;
  onChange?: () => void;
  onError?: (code: ErrorCode, message: string) => void;
}

/** A data link to another peer of the room: the sender, or another receiver. */
interface PeerConn {
  link: DataLink;
  asm: ManifestAssembler;
  /** the peer's role when the link opened ('s': the sender) */
  role: string | undefined;
  /** serves our verified pieces to it */
  seed: SeedSession;
}

/** Shown when the sender itself refused our key proof (its signature says it is the sender). */
const WRONG_KEY_SIGNER_MESSAGE =
  'The sender does not accept this link’s key: the link is damaged — copy the whole link again';

const roleOf = (meta: unknown) => (meta as { role?: string } | undefined)?.role;

export class ReceiverSession {
  readonly stats = newStats();
  sig: SignalingClient | null = null;
  mesh: Mesh | null = null;
  manifest: Manifest | null = null;
  dl: Downloader | null = null;
  store: FileStore | null = null;
  accepted = false;
  error: { code: ErrorCode; message: string } | null = null;
  private keys: RoomKeys | null = null;
  /** the link's raw content key (the key proof is derived from it) */
  private contentKey: Uint8Array | null = null;
  /** base64url hash of the sender's public signing key, from the link */
  private signer = '';
  /** the sealed, signed manifest adopted last, exactly as received (relayed to other peers) */
  private sealedJson: string | null = null;
  private relayId = 0;
  /** manifests verified concurrently are adopted one after another, in arrival order */
  private adopting: Promise<void> = Promise.resolve();
  /** manifests refused (bad signature, stale, malformed), for tests and diagnostics */
  manifestsRefused = 0;
  /** control frames refused as out of bounds (piece index, file index, bitfield length) */
  framesRefused = 0;
  private conns = new Map<string, PeerConn>();
  readonly swarm = new Swarm();
  seeding: boolean;
  private readonly source = storeSource({
    entry: (f) => this.manifest?.files[f],
    key: (f) => this.dl?.fileKeys[f] ?? null,
    has: (f, p) => this.seeding && !!this.dl?.files[f]?.have.has(p),
    read: (id, offset, length) => {
      if (!this.store) return Promise.reject(new Error('no store'));
      return this.store.read(id, offset, length);
    },
  });
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private goneTimer: ReturnType<typeof setTimeout> | null = null;
  private savedHave: Record<string, Uint8Array> = {};
  private savedPaused: string[] = [];

  constructor(
    readonly room: string,
    private readonly keyText: string,
    private readonly opts: ReceiverOptions = {},
  ) {
    this.seeding = opts.seed ?? true;
  }

  private changed() {
    this.opts.onChange?.();
  }

  private fail(code: ErrorCode, message: string) {
    this.error = { code, message };
    this.opts.onError?.(code, message);
    this.changed();
  }

  async start(): Promise<void> {
    try {
      const secrets = parseLinkFragment(this.keyText);
      this.keys = await importRoomKey(secrets.key);
      this.contentKey = secrets.key;
      this.signer = secrets.signer;
    } catch (e) {
      this.fail('wrong-key', e instanceof WrongKeyError ? e.message : String(e));
      return;
    }
    const saved = await loadRoomState(this.room);
    if (saved) {
      this.savedHave = saved.have;
      this.savedPaused = saved.paused;
      try {
        await this.useManifest(decodeManifest(new TextEncoder().encode(saved.manifest)));
        if (saved.accepted) await this.accept();
      } catch {
        /* stale state: start over */
      }
    }
    const sig = new SignalingClient(
      this.room,
      { role: 'r' },
      {
        locate: (r) => locateRoom(r),
        openSocket: browserSocket,
        problems: browserProblems(location),
        overrideUrl: this.opts.overrideUrl ?? null,
      },
    );
    this.sig = sig;
    this.mesh = new Mesh(
      sig,
      {
        // receivers link to the sender and to each other (they seed to each other)
        wants: (p) => roleOf(p.meta) === 's' || roleOf(p.meta) === 'r',
        open: (id, link) => this.linkOpened(id, link),
        message: (id, d) => void this.onMessage(id, d),
        close: (id) => this.linkClosed(id),
      },
      this.contentKey!,
      {
        check: {
          signerHash: this.signer,
          // the link's signer refused our key proof: the link's key is damaged, not a stranger's
          onWrongKey: () => {
            if (!this.manifest) this.fail('wrong-key', WRONG_KEY_SIGNER_MESSAGE);
          },
        },
      },
    );
    for (const ev of ['status', 'peerJoined', 'peerLeft', 'welcome'] as const)
      sig.on(ev, () => this.changed());
    sig.on('welcome', (w) => {
      if (!w.peers.some((p) => roleOf(p.meta) === 's')) this.armGone();
    });
    // our signaling resumed with recovered:false (the mesh renegotiates every link): say again
    // what we hold and how far we are, as on a new link
    sig.on('lost', () => {
      this.announceAll();
      this.reportAll();
    });
    sig.start();
  }

  private linkOpened(id: string, link: DataLink): void {
    const role = roleOf(this.sig?.peers.get(id)?.meta);
    const seed = new SeedSession(link, this.source, this.stats, () => this.changed());
    this.conns.set(id, { link, asm: new ManifestAssembler(), role, seed });
    this.swarm.add(id, link);
    if (role === 's') this.senderFound();
    else this.announceTo(link);
    if (role !== 's') this.relayManifestTo(link);
    this.dl?.pump();
    this.changed();
  }

  private senderFound(): void {
    this.clearGone();
    this.reportAll();
  }

  private linkClosed(id: string): void {
    this.conns.get(id)?.seed.close();
    this.conns.delete(id);
    this.swarm.remove(id);
    this.dl?.peerLeft(id);
    if (this.senderLinks().length === 0) this.armGone();
    this.changed();
  }

  private senderLinks(): PeerConn[] {
    return [...this.conns.values()].filter((c) => c.role === 's');
  }

  private armGone() {
    if (this.goneTimer || this.senderLinks().length > 0) return;
    this.goneTimer = setTimeout(() => {
      this.goneTimer = null;
      if (this.senderLinks().length === 0 && !this.allDone())
        this.fail(
          'peer-gone',
          'The sender is not connected. Keep this page open: it continues when the sender is back.',
        );
    }, this.opts.peerGoneAfterMs ?? 8000);
  }

  private clearGone() {
    if (this.goneTimer) clearTimeout(this.goneTimer);
    this.goneTimer = null;
    if (this.error?.code === 'peer-gone') {
      this.error = null;
      this.changed();
    }
  }

  allDone(): boolean {
    return !!this.dl && this.dl.files.every((f) => f.state === 'done' || !f.accepted);
  }

  private async onMessage(id: string, d: string | ArrayBuffer): Promise<void> {
    if (typeof d !== 'string') {
      await this.dl?.handleBlock(id, d);
      return;
    }
    const m = parseControl(d);
    const c = this.conns.get(id);
    if (!m || !c) return;
    switch (m.t) {
      case 'manifest':
        // any peer may relay it: only the signature decides. The peer's role may not have been
        // known when the link opened (signals can overtake peer-joined)
        if (c.role === undefined) {
          c.role = roleOf(this.sig?.peers.get(id)?.meta) ?? 's';
          if (c.role === 's') this.senderFound();
        }
        await this.onManifestChunk(c, m);
        break;
      case 'req':
      case 'reqs':
      case 'cancel':
        c.seed.handle(m);
        break;
      case 'bitfield': {
        const bits = decodeBits(m.bits);
        const n = this.piecesOf(m.f);
        const ok = !!bits && (n === null || (n >= 0 && bits.length <= Math.ceil(n / 8)));
        if (!ok || !this.swarm.peers.get(id)?.setBitfield(m.f, bits)) this.framesRefused++;
        this.dl?.pump();
        break;
      }
      case 'have': {
        const n = this.piecesOf(m.f);
        if ((n !== null && m.p >= n) || !this.swarm.peers.get(id)?.setHave(m.f, m.p))
          this.framesRefused++;
        this.dl?.pump();
        break;
      }
      case 'reject':
        this.dl?.rejected(id, m.r);
        break;
      default:
        break;
    }
  }

  /** Pieces of file f by the adopted manifest (-1 when no such file), null before a manifest. */
  private piecesOf(f: number): number | null {
    if (!this.manifest) return null;
    const e = this.manifest.files[f];
    return e ? pieceCount(e.size, e.pieceSize) : -1;
  }

  private async onManifestChunk(
    c: PeerConn,
    m: Extract<ControlMessage, { t: 'manifest' }>,
  ): Promise<void> {
    const json = c.asm.push(m);
    if (json === null || !this.keys) return;
    let manifest: Manifest;
    try {
      const box = JSON.parse(json) as SealedBox;
      const env: unknown = JSON.parse(new TextDecoder().decode(await openManifest(this.keys, box)));
      const text = await verifySignedManifest(env, this.signer);
      manifest = decodeManifest(new TextEncoder().encode(text));
    } catch (e) {
      if (e instanceof WrongKeyError && !this.manifest) this.fail('wrong-key', e.message);
      else this.refused(e);
      return;
    }
    this.adopting = this.adopting.then(() => this.adopt(c, manifest, json));
    await this.adopting;
  }

  /** Takes a verified manifest if it is newer and consistent with the one held. */
  private async adopt(c: PeerConn, manifest: Manifest, json: string): Promise<void> {
    const change = this.manifest ? manifestChange(this.manifest, manifest) : 'adds';
    if (change === 'stale') {
      if (manifest.seq === this.manifest!.seq) this.sealedJson ??= json;
      return;
    }
    if (change === 'conflict') {
      this.refused(new Error(`manifest ${manifest.seq} contradicts ${this.manifest!.seq}`));
      return;
    }
    try {
      if (change === 'grows' && this.dl && this.store) this.grow(manifest);
      else await this.useManifest(manifest);
    } catch {
      return;
    }
    if (this.error?.code === 'wrong-key') this.clearError();
    this.sealedJson = json;
    for (const other of this.conns.values())
      if (other !== c && other.role !== 's') this.relayManifestTo(other.link);
  }

  /** The same files with more piece hashes: the running download goes on with them. */
  private grow(m: Manifest): void {
    this.manifest = m;
    this.store!.setManifest(m);
    this.dl!.extend(m);
    this.scheduleSave();
    this.changed();
  }

  private refused(e: unknown): void {
    this.manifestsRefused++;
    if (e instanceof SignatureError) console.warn('manifest refused:', e.message);
  }

  private clearError(): void {
    this.error = null;
    this.changed();
  }

  /** Forwards the adopted sealed manifest, byte for byte, to a peer (it verifies it itself). */
  private relayManifestTo(link: DataLink): void {
    if (!this.sealedJson || !link.open) return;
    for (const fr of manifestFrames(++this.relayId, this.sealedJson)) link.send(encodeControl(fr));
  }

  /** Turns seeding to other receivers on or off (the receiver's opt-out checkbox). */
  setSeeding(on: boolean): void {
    if (this.seeding === on) return;
    this.seeding = on;
    for (const c of this.conns.values()) this.announceTo(c.link);
    this.changed();
  }

  /** Our bitfields (all empty while not seeding), to one peer. Not to the sender: it has all. */
  private announceTo(link: DataLink): void {
    if (!this.dl || !link.open) return;
    for (const f of this.dl.files) {
      const bits = this.seeding ? f.have : new Bitfield(f.have.length);
      link.send(encodeControl({ t: 'bitfield', f: f.index, bits: encodeBits(bits) }));
    }
  }

  private announceAll(): void {
    for (const c of this.conns.values()) if (c.role !== 's') this.announceTo(c.link);
  }

  /** A piece was verified: tell the other receivers (p = -1: a file started over). */
  private announcePiece(f: number, p: number): void {
    if (!this.seeding) return;
    if (p < 0) {
      this.announceAll();
      return;
    }
    const msg = encodeControl({ t: 'have', f, p });
    for (const c of this.conns.values()) if (c.role !== 's' && c.link.open) c.link.send(msg);
  }

  /** Adopts a (new or bigger) manifest, keeping verified pieces of files already known. */
  private async useManifest(m: Manifest): Promise<void> {
    const old = this.manifest;
    if (old && this.dl && JSON.stringify(old) === JSON.stringify(m)) return;
    const keep = new Map<string, DownloadFile>();
    if (this.dl) for (const f of this.dl.files) keep.set(this.dl.manifest.files[f.index]!.id, f);
    const keys = await Promise.all(
      m.files.map((f) => (m.plain || !this.keys ? null : deriveFileKey(this.keys, f.id))),
    );
    try {
      this.store = await createFileStore(this.room, m, this.opts.storage);
    } catch (e) {
      this.fail('storage', `Cannot store the files in this browser: ${String(e)}`);
      throw e;
    }
    const store = this.store;
    const have = m.files.map((f) => {
      const k = keep.get(f.id);
      if (k) return k.have;
      // a saved bitfield counts only if the store still holds what that visit wrote
      const b = this.savedHave[f.id];
      return b && store.found(f.id) ? new Bitfield(pieceCount(f.size, f.pieceSize), b) : undefined;
    });
    this.manifest = m;
    this.dl?.close();
    const dl = new Downloader(
      m,
      keys,
      this.store,
      this.stats,
      have,
      {
        onChange: (i) => {
          this.report(i);
          this.changed();
        },
        onPiece: (f, p) => {
          this.scheduleSave();
          this.announcePiece(f, p);
        },
        onStorageError: (_f, e) => this.storageFailed(e),
        maxBytesPerSec: this.opts.maxBytesPerSec,
      },
      this.swarm,
    );
    this.dl = dl;
    const wasAccepted = this.accepted;
    if (wasAccepted) {
      dl.accept();
      for (const f of dl.files) {
        const k = keep.get(m.files[f.index]!.id);
        const paused = k ? k.state === 'paused' : this.savedPaused.includes(m.files[f.index]!.id);
        if (paused) dl.pause(f.index);
      }
    }
    this.announceAll();
    dl.pump();
    await this.save();
    this.changed();
  }

  /** Writing a received file failed: say so (a full disk or quota is `no-space`). */
  private storageFailed(e: unknown): void {
    const detail = e instanceof Error ? e.message : String(e);
    if (isNoSpace(e))
      this.fail(
        'no-space',
        `This browser's storage is full: the file could not be saved (${detail}). Free some space and open the link again.`,
      );
    else this.fail('storage', `Cannot store the files in this browser: ${detail}`);
  }

  /** Accepts every offered file (checks free space first). */
  async accept(): Promise<void> {
    if (!this.dl || !this.manifest) return;
    let needed = 0;
    for (const f of this.dl.files) {
      const e = this.manifest.files[f.index]!;
      needed += e.size - f.bytes;
    }
    try {
      await checkSpace(needed, this.opts.quotaOverride);
    } catch (e) {
      if (e instanceof NoSpaceError) {
        this.fail('no-space', e.message);
        return;
      }
      throw e;
    }
    this.accepted = true;
    this.dl.accept();
    for (const f of this.dl.files)
      if (this.savedPaused.includes(this.manifest.files[f.index]!.id)) this.dl.pause(f.index);
    await this.save();
    this.changed();
  }

  pause(i: number): void {
    this.dl?.pause(i);
    void this.save();
  }

  resume(i: number): void {
    this.dl?.resume(i);
    void this.save();
  }

  cancel(i: number): void {
    this.dl?.cancel(i);
    void this.save();
  }

  /** Tells the sender how far we are (it shows it on its side). */
  private report(i: number): void {
    const f = this.dl?.files[i];
    if (!f) return;
    const msg = encodeControl({ t: 'progress', f: i, bytes: f.bytes, done: f.state === 'done' });
    for (const c of this.senderLinks()) if (c.link.open) c.link.send(msg);
  }

  private reportAll(): void {
    for (const f of this.dl?.files ?? [])
      if (f.bytes > 0 || f.state === 'done') this.report(f.index);
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.save();
    }, 100);
  }

  private async save(): Promise<void> {
    if (!this.manifest || !this.dl) return;
    const have: Record<string, Uint8Array> = {};
    const paused: string[] = [];
    for (const f of this.dl.files) {
      const id = this.manifest.files[f.index]!.id;
      have[id] = f.have.bits.slice();
      if (f.state === 'paused') paused.push(id);
    }
    await saveRoomState({
      room: this.room,
      manifest: JSON.stringify(this.manifest),
      accepted: this.accepted,
      have,
      paused,
      updated: Date.now(),
    });
  }

  async getFile(i: number): Promise<Blob> {
    if (!this.store) throw new Error('nothing stored yet');
    return this.store.getFile(i);
  }

  debug(): Record<string, unknown> {
    return {
      ...connectionDebug(this.sig, this.mesh),
      // links to the sender (the e2e suite waits for one)
      seeders: [...this.conns.entries()].filter(([, c]) => c.role === 's').map(([id]) => id),
      peerLinks: [...this.conns.entries()].map(([id, c]) => ({ id, role: c.role })),
      seeding: this.seeding,
      outstanding: this.dl?.outstanding(),
      manifest: this.manifest ? this.manifest.files.length : null,
      manifestSeq: this.manifest?.seq ?? null,
      manifestsRefused: this.manifestsRefused,
      framesRefused: this.framesRefused,
      store: this.store?.kind ?? null,
      error: this.error,
    };
  }
}

export function keyFromFragment(hash: string): string {
  return hash.startsWith('#') ? hash.slice(1) : hash;
}
