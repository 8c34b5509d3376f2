/**
 * How a receiver takes manifests from its peers: any peer may relay one (the sender, or another
 * receiver), so only the link's signer decides. A sealed manifest that opens with the room key,
 * verifies against the signer and is newer than the held one (growth.ts) is handed to the session;
 * the adopted one is relayed, byte for byte, to the other receivers, so a late receiver can start
 * from them while the sender is away.
 */
import { openManifest, type RoomKeys, type SealedBox, WrongKeyError } from '../crypto/keys';
import { SignatureError, verifySignedManifest } from '../crypto/signing';
import type { DataLink } from '../peer/link';
import { type ManifestChange, manifestChange } from '../transfer/growth';
import { decodeManifest, type Manifest } from '../transfer/manifest';
import {
  type ControlMessage,
  encodeControl,
  type ManifestAssembler,
  manifestFrames,
} from '../transfer/wire';

export interface IntakeHost {
  /** the manifest held now */
  held(): Manifest | null;
  /** adopts a newer manifest ('adds': a new download, 'grows': the running one extended); throws if it cannot */
  adopt(m: Manifest, change: ManifestChange): Promise<void>;
  /** the first manifest did not open with the link's key */
  wrongKey(message: string): void;
  /** links a newly adopted manifest is relayed to (all but the one it came from) */
  relayTargets(from: DataLink): DataLink[];
}

export class ManifestIntake {
  /** manifests refused (bad signature, stale, malformed), for tests and diagnostics */
  refusedCount = 0;
  /** the sealed, signed manifest adopted last, exactly as received (relayed to other peers) */
  private sealedJson: string | null = null;
  private relayId = 0;
  /** manifests verified concurrently are adopted one after another, in arrival order */
  private adopting: Promise<void> = Promise.resolve();

  constructor(
    private readonly keys: () => RoomKeys | null,
    private readonly signer: () => string,
    private readonly host: IntakeHost,
  ) {}

  /** One `manifest` chunk from the peer on `link`. */
  async chunk(
    asm: ManifestAssembler,
    link: DataLink,
    m: Extract<ControlMessage, { t: 'manifest' }>,
  ): Promise<void> {
    const json = asm.push(m);
    const keys = this.keys();
    if (json === null || !keys) return;
    let manifest: Manifest;
    try {
      const box = JSON.parse(json) as SealedBox;
      const env: unknown = JSON.parse(new TextDecoder().decode(await openManifest(keys, box)));
      const text = await verifySignedManifest(env, this.signer());
      manifest = decodeManifest(new TextEncoder().encode(text));
    } catch (e) {
      if (e instanceof WrongKeyError && !this.host.held()) this.host.wrongKey(e.message);
      else this.refused(e);
      return;
    }
    this.adopting = this.adopting.then(() => this.adopt(link, manifest, json));
    await this.adopting;
  }

  /** Forwards the adopted sealed manifest, byte for byte, to a peer (it verifies it itself). */
  relayTo(link: DataLink): void {
    if (!this.sealedJson || !link.open) return;
    for (const fr of manifestFrames(++this.relayId, this.sealedJson)) link.send(encodeControl(fr));
  }

  /** Takes a verified manifest if it is newer and consistent with the one held. */
  private async adopt(from: DataLink, manifest: Manifest, json: string): Promise<void> {
    const held = this.host.held();
    const change = held ? manifestChange(held, manifest) : 'adds';
    if (change === 'stale') {
      if (manifest.seq === held!.seq) this.sealedJson ??= json;
      return;
    }
    if (change === 'conflict') {
      this.refused(new Error(`manifest ${manifest.seq} contradicts ${held!.seq}`));
      return;
    }
    try {
      await this.host.adopt(manifest, change);
    } catch {
      return;
    }
    this.sealedJson = json;
    for (const link of this.host.relayTargets(from)) this.relayTo(link);
  }

  private refused(e: unknown): void {
    this.refusedCount++;
    if (e instanceof SignatureError) console.warn('manifest refused:', e.message);
  }
}
