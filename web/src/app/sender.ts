/**
 * The sender: creates a room, hashes the offered files into a manifest, seals it with the room key
 * and serves pieces to every receiver that connects (many at once).
 */
import {
  generateRoomKey,
  importRoomKey,
  deriveFileKey,
  type RoomKeys,
  sealManifest,
} from '../crypto/keys';
import { fromBase64Url } from '../crypto/bytes';
import { linkFragment } from '../crypto/link';
import { newShareSigner, type ShareSigner, type SignedManifest } from '../crypto/signing';
import { Mesh } from '../peer/mesh';
import { createRoom, locateRoom } from '../signaling/api';
import { browserSocket, SignalingClient } from '../signaling/client';
import { browserProblems } from '../signaling/problems';
import { describeFile, type LocalFile } from '../transfer/hashing';
import type { DataLink } from '../peer/link';
import { newStats } from '../transfer/stats';
import { encodeManifest, type Manifest } from '../transfer/manifest';
import { pieceCount } from '../transfer/pieces';
import { SeedSession, type SeedFile } from '../transfer/seeder';
import { blobSource } from '../transfer/source';
import { allPieces } from '../transfer/swarm';
import { encodeBits, encodeControl, manifestFrames, parseControl } from '../transfer/wire';

export interface SenderOptions {
  /** TEST BUILD ONLY: no encryption, no hashing (for measurements only) */
  plain?: boolean;
  /** join this existing room with this content key instead of creating one (test hook: a forger) */
  existing?: { room: string; key: string; seq: number };
  onChange?: () => void;
}

export class SenderSession {
  readonly key: string;
  /** base64url hash of this share's public signing key (the link's second half), once made */
  signerHash: string | null = null;
  readonly stats = newStats();
  readonly files: SeedFile[] = [];
  /** files being hashed, for the UI */
  preparing: { name: string; path: string; size: number; done: number }[] = [];
  room: string | null = null;
  sig: SignalingClient | null = null;
  mesh: Mesh | null = null;
  readonly sessions = new Map<string, { link: DataLink; seed: SeedSession }>();
  private keys: Promise<RoomKeys>;
  private manifestId = 0;
  /** manifest version: bumped whenever the offered files change */
  private seq = 0;
  /** the sealed, signed manifest of the current `seq` (made once, sent to every peer) */
  private sealed: { seq: number; json: Promise<string> } | null = null;
  private readonly signer: Promise<ShareSigner>;
  private queue: Promise<void> = Promise.resolve();
  /** one source (and piece cache) for every receiver */
  private readonly source = blobSource(() => this.files);

  constructor(private readonly opts: SenderOptions = {}) {
    this.key = opts.existing?.key ?? generateRoomKey();
    this.seq = opts.existing?.seq ?? 0;
    this.keys = importRoomKey(fromBase64Url(this.key));
    this.signer = newShareSigner();
    void this.signer.then((s) => {
      this.signerHash = s.signerHash;
      this.changed();
    });
  }

  private changed() {
    this.opts.onChange?.();
  }

  get manifest(): Manifest {
    return {
      v: 2,
      seq: Math.max(1, this.seq),
      ...(__TEST_BUILD__ && this.opts.plain ? { plain: true } : {}),
      files: this.files.map((f) => f.entry),
    };
  }

  /** Queues files: they are hashed one after another and offered as soon as each is ready. */
  addFiles(list: LocalFile[]): Promise<void> {
    const items = list.map((f) => ({
      f,
      p: { name: f.name, path: f.path, size: f.blob.size, done: 0 },
    }));
    this.preparing.push(...items.map((i) => i.p));
    this.changed();
    this.queue = this.queue.then(async () => {
      const keys = await this.keys;
      for (const { f, p } of items) {
        const entry = await describeFile(f, {
          hash: !this.opts.plain,
          onProgress: (b) => {
            p.done = b;
            this.changed();
          },
        });
        this.files.push({
          entry,
          blob: f.blob,
          key: this.opts.plain ? null : await deriveFileKey(keys, entry.id),
        });
        this.preparing = this.preparing.filter((x) => x !== p);
        this.changed();
      }
      this.seq++;
      await this.publish();
    });
    return this.queue;
  }

  /** Creates the room on the least-loaded node (POST /api/rooms) and joins it. */
  async start(overrideUrl?: string | null): Promise<void> {
    await this.signer;
    const placement = this.opts.existing
      ? await locateRoom(this.opts.existing.room)
      : await createRoom();
    this.room = placement.room;
    const sig = new SignalingClient(
      placement.room,
      { role: 's' },
      {
        locate: (r) => locateRoom(r),
        openSocket: browserSocket,
        problems: browserProblems(location),
        overrideUrl: overrideUrl ?? null,
      },
    );
    this.sig = sig;
    this.mesh = new Mesh(
      sig,
      {
        wants: (p) => (p.meta as { role?: string } | undefined)?.role === 'r',
        open: (id, link) => {
          const seed = new SeedSession(link, this.source, this.stats, () => this.changed());
          this.sessions.set(id, { link, seed });
          void this.sendManifest(link);
          this.changed();
        },
        message: (id, d) => {
          if (typeof d !== 'string') return;
          const m = parseControl(d);
          if (m) this.sessions.get(id)?.seed.handle(m);
        },
        close: (id) => {
          this.sessions.get(id)?.seed.close();
          this.sessions.delete(id);
          this.changed();
        },
      },
      fromBase64Url(this.key),
    );
    sig.on('status', () => this.changed());
    sig.on('peerJoined', () => this.changed());
    sig.on('peerLeft', () => this.changed());
    sig.on('welcome', () => this.changed());
    // our signaling resumed with recovered:false (the mesh renegotiates every link): send the
    // manifest and our bitfields again, as on a new link
    sig.on('lost', () => void this.publish());
    sig.start(placement);
  }

  shareLink(origin: string): string | null {
    return this.room && this.signerHash
      ? `${origin}/r/${this.room}#${linkFragment(this.key, this.signerHash)}`
      : null;
  }

  private async sendManifest(link: DataLink): Promise<void> {
    const json = await this.sealedManifest();
    const id = ++this.manifestId;
    for (const fr of manifestFrames(id, json)) if (link.open) link.send(encodeControl(fr));
    // the sender holds every piece of every file it offers
    for (const [f, { entry }] of this.files.entries()) {
      const bits = encodeBits(allPieces(pieceCount(entry.size, entry.pieceSize)));
      if (link.open) link.send(encodeControl({ t: 'bitfield', f, bits }));
    }
  }

  /** Signs the current manifest (once per version) and seals the envelope with the content key. */
  private sealedManifest(): Promise<string> {
    const seq = Math.max(1, this.seq);
    if (this.sealed?.seq !== seq) {
      const m = new TextDecoder().decode(encodeManifest(this.manifest));
      const json = (async () => {
        const signer = await this.signer;
        const env: SignedManifest = { m, pub: signer.publicKey, sig: await signer.signManifest(m) };
        const box = await sealManifest(
          await this.keys,
          new TextEncoder().encode(JSON.stringify(env)),
        );
        return JSON.stringify(box);
      })();
      this.sealed = { seq, json };
    }
    return this.sealed.json;
  }

  private async publish(): Promise<void> {
    for (const { link } of this.sessions.values()) if (link.open) await this.sendManifest(link);
  }

  /** Per-file progress over all receivers: the most any receiver verified, and whether one has it all. */
  fileProgress(i: number): { bytes: number; done: boolean; active: boolean } {
    let bytes = 0;
    let done = false;
    let active = false;
    for (const { seed } of this.sessions.values()) {
      const r = seed.progress.reported.get(i);
      const sent = seed.progress.sent.get(i) ?? 0;
      const size = this.files[i]?.entry.size ?? 0;
      bytes = Math.max(bytes, Math.min(size, r?.done ? size : sent));
      if (r?.done) done = true;
      else if (sent > 0 || r) active = true;
    }
    return { bytes, done, active };
  }

  debug(): Record<string, unknown> {
    return {
      status: this.sig?.status,
      peerId: this.sig?.peerId,
      node: this.sig?.nodeId,
      peers: [...(this.sig?.peers.values() ?? [])],
      links: this.mesh?.debug(),
      keyProof: this.mesh?.keyProofDebug(),
      sessions: [...this.sessions.keys()],
      files: this.files.length,
    };
  }
}
