/**
 * The sender: creates a room, offers the chosen files at once in a signed manifest whose piece
 * hashes are still empty, hashes the files in a worker (hasher.ts) and publishes longer signed
 * manifest versions as the hashes come in (growth.ts), serving each piece to every receiver that
 * connects (many at once) as soon as its hash is published.
 * Why ~370 lines: adding files, hashing them, growing and sealing manifest versions and serving
 * them all read and advance the same offer (files, hash counts, seq, the sealed version); split
 * apart they would pass that state back and forth. Signaling set-up is in room-signaling.ts.
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
import { connectionDebug } from './debug';
import { roomSignaling } from './room-signaling';
import { createRoom, locateRoom } from '../signaling/api';
import type { SignalingClient } from '../signaling/client';
import { toBase64Url } from '../crypto/bytes';
import type { DataLink } from '../peer/link';
import { describeFile, type LocalFile } from '../transfer/hashing';
import { hashFile } from '../transfer/hasher';
import {
  encodeManifest,
  type FileEntry,
  type Manifest,
  randomFileId,
  rootHash,
} from '../transfer/manifest';
import { Bitfield, BLOCK_SIZE, PIECE_SIZE, pieceCount } from '../transfer/pieces';
import { SeedSession, type SeedFile } from '../transfer/seeder';
import { blobSource } from '../transfer/source';
import { newStats } from '../transfer/stats';
import { encodeBits, encodeControl, manifestFrames, parseControl } from '../transfer/wire';

export interface SenderOptions {
  /** TEST BUILD ONLY: no encryption, no hashing (for measurements only) */
  plain?: boolean;
  /** join this existing room with this content key instead of creating one (test hook: a forger) */
  existing?: { room: string; key: string; seq: number };
  /** TEST BUILD ONLY: publish at most this many piece hashes per file until releaseHashing() */
  holdHashesAt?: number;
  onChange?: () => void;
}

/** A new manifest version goes out at most this often while files are being hashed... */
export const MANIFEST_GROWTH_MS = 250;
/** ...plus this per KB of manifest JSON (every version is re-sent whole to every peer). */
export const MANIFEST_GROWTH_MS_PER_KB = 1;
export const MAX_MANIFEST_GROWTH_MS = 5000;

/** Piece hashes of one file as the hasher delivers them. */
interface HashProgress {
  hashes: Uint8Array[];
  /** consecutive hashes from piece 0 */
  count: number;
  /** the whole-file root, once every hash is in */
  root: string;
}

/** A file entry offered before its pieces are hashed: no hashes, no root yet. */
function unhashedEntry(f: LocalFile): FileEntry {
  return {
    id: randomFileId(),
    name: f.name,
    path: f.path,
    size: f.blob.size,
    type: f.blob.type || 'application/octet-stream',
    pieceSize: PIECE_SIZE,
    blockSize: BLOCK_SIZE,
    pieces: [],
    root: '',
  };
}

export class SenderSession {
  readonly key: string;
  /** base64url hash of this share's public signing key (the link's second half), once made */
  signerHash: string | null = null;
  readonly stats = newStats();
  readonly files: SeedFile[] = [];
  /** hashing state per file id (gone once the file's final entry is published) */
  private readonly hashing = new Map<string, HashProgress>();
  private growTimer: ReturnType<typeof setTimeout> | null = null;
  private hashQueue: Promise<void> = Promise.resolve();
  /** per link: piece count of each file announced in its last bitfield */
  private readonly announced = new WeakMap<DataLink, number[]>();
  room: string | null = null;
  sig: SignalingClient | null = null;
  mesh: Mesh | null = null;
  readonly sessions = new Map<string, { link: DataLink; seed: SeedSession }>();
  private keys: Promise<RoomKeys>;
  private manifestId = 0;
  /** manifest version: bumped whenever the offered files change */
  private seq = 0;
  /**
   * the sealed, signed manifest of the current `seq` (made once, sent to every peer) and the
   * number of hashed pieces per file it lists (what the bitfields sent with it announce)
   */
  private sealed: { seq: number; json: Promise<string>; counts: number[] } | null = null;
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

  /**
   * Offers files at once: they go into a new signed manifest version without piece hashes (the
   * link can be shared right away), then are hashed one after another in the hash worker while
   * receivers connect; each published hash makes its piece servable.
   */
  addFiles(list: LocalFile[]): Promise<void> {
    this.queue = this.queue.then(async () => {
      const keys = await this.keys;
      const added: SeedFile[] = [];
      for (const f of list) {
        // plain (test build): zero hashes, nothing to wait for
        const entry = this.opts.plain ? await describeFile(f, { hash: false }) : unhashedEntry(f);
        if (!this.opts.plain && entry.size === 0) entry.root = await rootHash(0, []);
        const file: SeedFile = {
          entry,
          blob: f.blob,
          key: this.opts.plain ? null : await deriveFileKey(keys, entry.id),
        };
        this.files.push(file);
        if (entry.root === '') added.push(file);
      }
      this.seq++;
      await this.publish();
      for (const file of added) {
        const progress: HashProgress = { hashes: [], count: 0, root: '' };
        this.hashing.set(file.entry.id, progress);
        this.hashQueue = this.hashQueue.then(() => this.hash(file, progress));
      }
      this.changed();
    });
    return this.queue;
  }

  /** Hashes one file in the worker, publishing the hashes as they come. */
  private async hash(file: SeedFile, progress: HashProgress): Promise<void> {
    const { size, pieceSize } = file.entry;
    await hashFile(file.blob, pieceSize, (from, batch) => {
      for (let i = 0; 32 * i < batch.length; i++)
        progress.hashes[from + i] = batch.subarray(32 * i, 32 * i + 32);
      while (progress.hashes[progress.count]) progress.count++;
      this.scheduleGrowth();
      this.changed();
    });
    progress.root = await rootHash(size, progress.hashes);
    this.growNow();
  }

  /** Fraction of file i hashed so far (1 once its final entry is published). */
  hashedFraction(i: number): number {
    const f = this.files[i];
    if (!f) return 0;
    const p = this.hashing.get(f.entry.id);
    if (!p) return 1;
    return Math.min(1, (p.count * f.entry.pieceSize) / Math.max(1, f.entry.size));
  }

  /** TEST BUILD ONLY: lets the held-back hashes out (see SenderOptions.holdHashesAt). */
  releaseHashing(): void {
    this.opts.holdHashesAt = undefined;
    this.growNow();
  }

  /** Whether every offered file's final entry (all hashes and the root) is published. */
  get manifestFinal(): boolean {
    return this.files.every((f) => f.entry.root !== '');
  }

  private scheduleGrowth(): void {
    if (this.growTimer) return;
    const kb = (this.sealed ? this.manifestBytes : 0) / 1024;
    const ms = Math.min(
      MAX_MANIFEST_GROWTH_MS,
      MANIFEST_GROWTH_MS + MANIFEST_GROWTH_MS_PER_KB * kb,
    );
    this.growTimer = setTimeout(() => this.growNow(), ms);
  }

  private manifestBytes = 0;

  /** Puts the hashes in so far into the entries and publishes a new version if any changed. */
  private growNow(): void {
    if (this.growTimer) clearTimeout(this.growTimer);
    this.growTimer = null;
    let grew = false;
    for (const file of this.files) {
      const p = this.hashing.get(file.entry.id);
      if (!p) continue;
      const n = pieceCount(file.entry.size, file.entry.pieceSize);
      let count = p.count;
      if (__TEST_BUILD__ && this.opts.holdHashesAt !== undefined)
        count = Math.min(count, this.opts.holdHashesAt);
      // a complete list goes out only with its root (parseManifest refuses it otherwise)
      const final = count === n && p.root !== '';
      if (!final) count = Math.min(count, n - 1);
      if (count <= file.entry.pieces.length && !final) continue;
      const added = p.hashes.slice(file.entry.pieces.length, count).map((h) => toBase64Url(h));
      file.entry = {
        ...file.entry,
        pieces: [...file.entry.pieces, ...added],
        root: final ? p.root : '',
      };
      if (final) this.hashing.delete(file.entry.id);
      grew = true;
    }
    if (!grew) return;
    this.seq++;
    this.queue = this.queue.then(() => this.publish());
    this.changed();
  }

  /** Creates the room on the least-loaded node (POST /api/rooms) and joins it. */
  async start(overrideUrl?: string | null): Promise<void> {
    const signer = await this.signer;
    const placement = this.opts.existing
      ? await locateRoom(this.opts.existing.room)
      : await createRoom();
    this.room = placement.room;
    const sig = roomSignaling(placement.room, 's', overrideUrl);
    this.sig = sig;
    this.mesh = new Mesh(
      sig,
      {
        wants: (p) => (p.meta as { role?: string } | undefined)?.role === 'r',
        open: (id, link) => {
          const seed = new SeedSession(link, this.source, this.stats, () => this.changed());
          this.sessions.set(id, { link, seed });
          this.announced.delete(link);
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
      { identity: signer },
    );
    sig.on('status', () => this.changed());
    sig.on('peerJoined', () => this.changed());
    sig.on('peerLeft', () => this.changed());
    sig.on('welcome', () => this.changed());
    // our signaling resumed with recovered:false (the mesh renegotiates every link): send the
    // manifest and our bitfields again, as on a new link
    sig.on('lost', () => {
      for (const { link } of this.sessions.values()) this.announced.delete(link);
      void this.publish();
    });
    sig.start(placement);
  }

  shareLink(origin: string): string | null {
    return this.room && this.signerHash
      ? `${origin}/r/${this.room}#${linkFragment(this.key, this.signerHash)}`
      : null;
  }

  private async sendManifest(link: DataLink): Promise<void> {
    const { json, counts } = this.sealedManifest();
    const text = await json;
    const id = ++this.manifestId;
    for (const fr of manifestFrames(id, text)) if (link.open) link.send(encodeControl(fr));
    // the sender holds every piece whose hash that manifest lists; tell what changed since the
    // bitfields this link got last (after the manifest: the channel is ordered)
    const sent = this.announced.get(link) ?? [];
    this.announced.set(link, sent);
    for (const [f, count] of counts.entries()) {
      if (sent[f] === count) continue;
      const { entry } = this.files[f]!;
      const bits = new Bitfield(pieceCount(entry.size, entry.pieceSize));
      for (let p = 0; p < count; p++) bits.set(p);
      if (link.open) link.send(encodeControl({ t: 'bitfield', f, bits: encodeBits(bits) }));
      sent[f] = count;
    }
  }

  /** Signs the current manifest (once per version) and seals the envelope with the content key. */
  private sealedManifest(): { json: Promise<string>; counts: number[] } {
    const seq = Math.max(1, this.seq);
    if (this.sealed?.seq !== seq) {
      const manifest = this.manifest;
      const m = new TextDecoder().decode(encodeManifest(manifest));
      this.manifestBytes = m.length;
      const counts = manifest.files.map((e) => e.pieces.length);
      const json = (async () => {
        const signer = await this.signer;
        const env: SignedManifest = { m, pub: signer.publicKey, sig: await signer.signManifest(m) };
        const box = await sealManifest(
          await this.keys,
          new TextEncoder().encode(JSON.stringify(env)),
        );
        return JSON.stringify(box);
      })();
      this.sealed = { seq, json, counts };
    }
    return this.sealed;
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
      ...connectionDebug(this.sig, this.mesh),
      sessions: [...this.sessions.keys()],
      files: this.files.length,
      manifestSeq: this.seq,
      manifestFinal: this.manifestFinal,
      hashesPublished: this.files.map((f) => f.entry.pieces.length),
    };
  }
}
