/**
 * The receiver: joins the room from the link, opens the sealed manifest with the fragment key,
 * downloads accepted files from a sender, persists progress (IndexedDB + OPFS) so that reopening
 * the link continues where it stopped.
 */

import {
  deriveFileKey,
  importRoomKey,
  openManifest,
  parseRoomKey,
  type RoomKeys,
  type SealedBox,
  WrongKeyError,
} from '../crypto/keys';
import { Mesh } from '../peer/mesh';
import { locateRoom } from '../signaling/api';
import { browserSocket, SignalingClient } from '../signaling/client';
import { createFileStore, type FileStore } from '../storage/files';
import { checkSpace, loadRoomState, NoSpaceError, saveRoomState } from '../storage/state';
import { type DownloadFile, Downloader } from './downloader';
import { newStats, type DataLink } from './link';
import { decodeManifest, type Manifest } from './manifest';
import { Bitfield } from './pieces';
import { ManifestAssembler, parseControl } from './wire';

export type ErrorCode = 'wrong-key' | 'no-space' | 'peer-gone' | 'signaling' | 'storage';

export interface ReceiverOptions {
  overrideUrl?: string | null;
  storage?: 'opfs' | 'idb';
  quotaOverride?: number;
  /** QoS / test hook: cap the download rate (bytes per second) */
  maxBytesPerSec?: number;
  /** seconds without any sender before `peer-gone` shows */
  peerGoneAfterMs?: number;
  onChange?: () => void;
  onError?: (code: ErrorCode, message: string) => void;
}

interface SeederLink {
  link: DataLink;
  asm: ManifestAssembler;
}

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
  private seeders = new Map<string, SeederLink>();
  private active: string | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private goneTimer: ReturnType<typeof setTimeout> | null = null;
  private savedHave: Record<string, Uint8Array> = {};
  private savedPaused: string[] = [];

  constructor(
    readonly room: string,
    private readonly keyText: string,
    private readonly opts: ReceiverOptions = {},
  ) {}

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
      this.keys = await importRoomKey(parseRoomKey(this.keyText));
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
        overrideUrl: this.opts.overrideUrl ?? null,
      },
    );
    this.sig = sig;
    this.mesh = new Mesh(sig, {
      wants: (p) => (p.meta as { role?: string } | undefined)?.role === 's',
      open: (id, link) => {
        this.seeders.set(id, { link, asm: new ManifestAssembler() });
        this.clearGone();
        this.changed();
      },
      message: (id, d) => void this.onMessage(id, d),
      close: (id) => {
        this.seeders.delete(id);
        if (this.active === id) {
          this.active = null;
          this.dl?.setLink(null);
          this.pickSeeder();
        }
        this.armGone();
        this.changed();
      },
    });
    for (const ev of ['status', 'peerJoined', 'peerLeft', 'welcome'] as const)
      sig.on(ev, () => this.changed());
    sig.on('welcome', (w) => {
      if (!w.peers.some((p) => (p.meta as { role?: string } | undefined)?.role === 's'))
        this.armGone();
    });
    sig.start();
  }

  private armGone() {
    if (this.goneTimer || this.seeders.size > 0) return;
    this.goneTimer = setTimeout(() => {
      this.goneTimer = null;
      if (this.seeders.size === 0 && !this.allDone())
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
      if (id === this.active) await this.dl?.handleBlock(d);
      return;
    }
    const m = parseControl(d);
    const s = this.seeders.get(id);
    if (!m || !s) return;
    if (m.t === 'manifest') {
      const json = s.asm.push(m);
      if (json === null || !this.keys) return;
      let manifest: Manifest;
      try {
        const box = JSON.parse(json) as SealedBox;
        manifest = decodeManifest(await openManifest(this.keys, box));
      } catch (e) {
        if (e instanceof WrongKeyError) this.fail('wrong-key', e.message);
        return;
      }
      try {
        await this.useManifest(manifest);
      } catch {
        return;
      }
      if (!this.active) this.pickSeeder(id);
    }
  }

  private pickSeeder(prefer?: string): void {
    const id = prefer ?? [...this.seeders.keys()][0];
    if (!id || !this.dl) return;
    const s = this.seeders.get(id);
    if (!s) return;
    this.active = id;
    this.dl.setLink(s.link);
    this.reportAll();
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
    const have = m.files.map((f) => {
      const k = keep.get(f.id);
      if (k) return k.have;
      const b = this.savedHave[f.id];
      return b ? new Bitfield(f.pieces.length, b) : undefined;
    });
    try {
      this.store = await createFileStore(this.room, m, this.opts.storage);
    } catch (e) {
      this.fail('storage', `Cannot store the files in this browser: ${String(e)}`);
      throw e;
    }
    this.manifest = m;
    const dl = new Downloader(m, keys, this.store, this.stats, have, {
      onChange: (i) => {
        this.report(i);
        this.changed();
      },
      onPiece: () => this.scheduleSave(),
      maxBytesPerSec: this.opts.maxBytesPerSec,
    });
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
    if (this.active) {
      const s = this.seeders.get(this.active);
      if (s) dl.setLink(s.link);
    }
    await this.save();
    this.changed();
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
    const s = this.active ? this.seeders.get(this.active) : undefined;
    const f = this.dl?.files[i];
    if (!s || !f || !s.link.open) return;
    s.link.send(JSON.stringify({ t: 'progress', f: i, bytes: f.bytes, done: f.state === 'done' }));
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
      status: this.sig?.status,
      peerId: this.sig?.peerId,
      node: this.sig?.nodeId,
      peers: [...(this.sig?.peers.values() ?? [])],
      links: this.mesh?.debug(),
      seeders: [...this.seeders.keys()],
      active: this.active,
      manifest: this.manifest ? this.manifest.files.length : null,
      store: this.store?.kind ?? null,
      error: this.error,
    };
  }
}

export function keyFromFragment(hash: string): string {
  return hash.startsWith('#') ? hash.slice(1) : hash;
}
