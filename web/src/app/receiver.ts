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
 *
 * Parts: manifest-intake.ts (opening, verifying, adopting and relaying manifests),
 * receiver-peers.ts (links to the room's peers, what they are told and what they announce),
 * saved-progress.ts (what survives a reload), gone-timer.ts (the `peer-gone` error),
 * room-signaling.ts. Why this file is still ~400 lines: what is left is the session the UI drives
 * (start, accept, pause, resume, cancel, seeding, debug) and the wiring of each signaling, mesh,
 * link and Downloader event to those parts; moving that wiring out would only add a layer of
 * callbacks between the session and its own state.
 */

import { deriveFileKey, importRoomKey, type RoomKeys, WrongKeyError } from '../crypto/keys';
import { parseLinkFragment } from '../crypto/link';
import type { DataLink } from '../peer/link';
import { Mesh } from '../peer/mesh';
import type { SignalingClient } from '../signaling/client';
import { createFileStore, type FileStore } from '../storage/files';
import { checkSpace, NoSpaceError } from '../storage/state';
import { isNoSpace } from '../storage/sync-write';
import { type DownloadFile, Downloader } from '../transfer/downloader';
import type { ManifestChange } from '../transfer/growth';
import { decodeManifest, type Manifest } from '../transfer/manifest';
import { SeedSession } from '../transfer/seeder';
import { storeSource } from '../transfer/source';
import { newStats } from '../transfer/stats';
import { ManifestAssembler, parseControl } from '../transfer/wire';
import { connectionDebug } from './debug';
import { GoneTimer } from './gone-timer';
import { ManifestIntake } from './manifest-intake';
import { ReceiverPeers } from './receiver-peers';
import { roomSignaling } from './room-signaling';
import { SavedProgress } from './saved-progress';

export type ErrorCode = 'wrong-key' | 'no-space' | 'peer-gone' | 'signaling' | 'storage';

export interface ReceiverOptions {
  overrideUrl?: string | null;
  storage?: 'opfs' | 'idb';
  quotaOverride?: number;
  /** test hook (`?rate=`): cap the download rate (bytes per second) */
  maxBytesPerSec?: number;
  /** milliseconds without any sender before `peer-gone` shows */
  peerGoneAfterMs?: number;
  /** seed verified pieces to other receivers (default on) */
  seed?: boolean;
  onChange?: () => void;
  onError?: (code: ErrorCode, message: string) => void;
}

/** Shown when the sender itself refused our key proof (its signature says it is the sender). */
const WRONG_KEY_SIGNER_MESSAGE =
  'The sender does not accept this link’s key: the link is damaged — copy the whole link again';

const roleOf = (meta: unknown) => (meta as { role?: string } | undefined)?.role;

/** Without a sender for this long (ms), the receiver shows `peer-gone` (ReceiverOptions overrides). */
export const PEER_GONE_AFTER_MS = 8000;

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
  private readonly intake = new ManifestIntake(
    () => this.keys,
    () => this.signer,
    {
      held: () => this.manifest,
      adopt: (m, change) => this.adopt(m, change),
      wrongKey: (message) => this.fail('wrong-key', message),
      relayTargets: (from) => this.peers.receiverLinks(from),
    },
  );
  private readonly peers = new ReceiverPeers({
    dl: () => this.dl,
    manifest: () => this.manifest,
    seeding: () => this.seeding,
  });
  readonly swarm = this.peers.swarm;
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
  private readonly saved: SavedProgress;
  private readonly gone: GoneTimer;

  constructor(
    readonly room: string,
    private readonly keyText: string,
    private readonly opts: ReceiverOptions = {},
  ) {
    this.seeding = opts.seed ?? true;
    this.saved = new SavedProgress(room, () =>
      this.manifest && this.dl
        ? { manifest: this.manifest, files: this.dl.files, accepted: this.accepted }
        : null,
    );
    this.gone = new GoneTimer(
      opts.peerGoneAfterMs ?? PEER_GONE_AFTER_MS,
      () => this.peers.senders().length > 0,
      () => {
        if (!this.allDone())
          this.fail(
            'peer-gone',
            'The sender is not connected. Keep this page open: it continues when the sender is back.',
          );
      },
    );
  }

  /** manifests refused (bad signature, stale, malformed), for tests and diagnostics */
  get manifestsRefused(): number {
    return this.intake.refusedCount;
  }

  /** control frames refused as out of bounds (piece index, file index, bitfield length) */
  get framesRefused(): number {
    return this.peers.framesRefused;
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
    const saved = await this.saved.load();
    if (saved) {
      try {
        await this.useManifest(decodeManifest(new TextEncoder().encode(saved.manifest)));
        if (saved.accepted) await this.accept();
      } catch {
        /* stale state: start over */
      }
    }
    const sig = roomSignaling(this.room, 'r', this.opts.overrideUrl);
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
      if (!w.peers.some((p) => roleOf(p.meta) === 's')) this.gone.arm();
    });
    // our signaling resumed with recovered:false (the mesh renegotiates every link): say again
    // what we hold and how far we are, as on a new link
    sig.on('lost', () => {
      this.peers.announceAll();
      this.peers.reportAll();
    });
    sig.start();
  }

  private linkOpened(id: string, link: DataLink): void {
    const role = roleOf(this.sig?.peers.get(id)?.meta);
    const seed = new SeedSession(link, this.source, this.stats, () => this.changed());
    this.peers.add(id, { link, asm: new ManifestAssembler(), role, seed });
    if (role === 's') this.senderFound();
    else this.peers.announceTo(link);
    if (role !== 's') this.intake.relayTo(link);
    this.dl?.pump();
    this.changed();
  }

  private senderFound(): void {
    this.clearGone();
    this.peers.reportAll();
  }

  private linkClosed(id: string): void {
    this.peers.remove(id);
    this.dl?.peerLeft(id);
    if (this.peers.senders().length === 0) this.gone.arm();
    this.changed();
  }

  private clearGone() {
    this.gone.disarm();
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
    const c = this.peers.get(id);
    if (!m || !c) return;
    switch (m.t) {
      case 'manifest':
        // any peer may relay it: only the signature decides. The peer's role may not have been
        // known when the link opened (signals can overtake peer-joined)
        if (c.role === undefined) {
          c.role = roleOf(this.sig?.peers.get(id)?.meta) ?? 's';
          if (c.role === 's') this.senderFound();
        }
        await this.intake.chunk(c.asm, c.link, m);
        break;
      case 'req':
      case 'reqs':
      case 'cancel':
        c.seed.handle(m);
        break;
      case 'bitfield':
      case 'have':
        this.peers.takeAnnouncement(id, m);
        break;
      case 'reject':
        this.dl?.rejected(id, m.r);
        break;
      default:
        break;
    }
  }

  /** Takes a verified, newer manifest (from manifest-intake.ts); throws when it cannot. */
  private async adopt(m: Manifest, change: ManifestChange): Promise<void> {
    if (change === 'grows' && this.dl && this.store) {
      // the same files with more piece hashes: the running download goes on with them
      this.manifest = m;
      this.store.setManifest(m);
      this.dl.extend(m);
      this.saved.schedule();
      this.changed();
    } else await this.useManifest(m);
    if (this.error?.code === 'wrong-key') {
      this.error = null;
      this.changed();
    }
  }

  /** Turns seeding to other receivers on or off (the receiver's opt-out checkbox). */
  setSeeding(on: boolean): void {
    if (this.seeding === on) return;
    this.seeding = on;
    this.peers.announceAll(true);
    this.changed();
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
    // a saved bitfield counts only if the store still holds what that visit wrote
    const have = m.files.map(
      (f) => keep.get(f.id)?.have ?? (store.found(f.id) ? this.saved.bitfield(f) : undefined),
    );
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
          this.peers.report(i);
          this.changed();
        },
        onPiece: (f, p) => {
          this.saved.schedule();
          this.peers.announcePiece(f, p);
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
        const paused = k ? k.state === 'paused' : this.saved.wasPaused(m.files[f.index]!.id);
        if (paused) dl.pause(f.index);
      }
    }
    this.peers.announceAll();
    dl.pump();
    await this.saved.save();
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
      if (this.saved.wasPaused(this.manifest.files[f.index]!.id)) this.dl.pause(f.index);
    await this.saved.save();
    this.changed();
  }

  pause(i: number): void {
    this.dl?.pause(i);
    void this.saved.save();
  }

  resume(i: number): void {
    this.dl?.resume(i);
    void this.saved.save();
  }

  cancel(i: number): void {
    this.dl?.cancel(i);
    void this.saved.save();
  }

  async getFile(i: number): Promise<Blob> {
    if (!this.store) throw new Error('nothing stored yet');
    return this.store.getFile(i);
  }

  debug(): Record<string, unknown> {
    return {
      ...connectionDebug(this.sig, this.mesh),
      ...this.peers.debug(),
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
