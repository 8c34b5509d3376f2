/**
 * Keeps one PeerLink per remote peer of the room, driven by signaling membership. A live data
 * channel outlives its signaling: a `peer-left` (e.g. the remote's node died and it resumed with a
 * new id) does not tear down a channel that is still open.
 * No link before the key proof (handshake.ts): a peer gets our SDP and ICE candidates only after
 * it proved it holds the link's key, and its own SDP/candidates/resyncs are dropped until then.
 * So every data channel — and every `done`, manifest, bitfield or block on it — is with a peer
 * that holds the key.
 */
import { deriveProofKey } from '../crypto/keyproof';
import type { SignalingClient } from '../signaling/client';
import type { PeerInfo } from '../signaling/messages';
import type { DataLink, LinkHealth } from './link';
import {
  KeyProofHandshake,
  looksLikeKeyProof,
  type SignerCheck,
  type SignerIdentity,
} from './handshake';
import { PeerLink } from './peer';
import { isPeerSignal } from './signal';

export interface MeshHandlers {
  /** whether to open a connection to this peer at all (e.g. receivers only talk to senders) */
  wants(peer: PeerInfo): boolean;
  open(peerId: string, link: DataLink): void;
  message(peerId: string, data: string | ArrayBuffer): void;
  close(peerId: string): void;
}

export class Mesh {
  readonly links = new Map<string, PeerLink>();
  readonly handshake: KeyProofHandshake;
  /** SDP/candidate/resync signals dropped because their sender had not proved the key */
  unprovenSignalsDropped = 0;

  constructor(
    private readonly sig: SignalingClient,
    private readonly h: MeshHandlers,
    /** the link's raw content key: the key proof is derived from it */
    contentKey: Uint8Array,
    /** the sender signs its proofs; a receiver checks a refusing peer against the link's signer */
    signer: { identity?: SignerIdentity; check?: SignerCheck } = {},
  ) {
    this.handshake = new KeyProofHandshake(
      deriveProofKey(contentKey),
      sig.room,
      () => sig.peerId,
      (to, d) => sig.signal(to, d),
      (id) => this.proven(id),
      signer.identity ?? null,
      signer.check ?? null,
    );
    sig.on('welcome', (w) => {
      for (const p of w.peers) this.meet(p);
    });
    sig.on('peerJoined', (p) => this.meet(p));
    // our signaling resumed with recovered:false: every link (also those the welcome just
    // created) may have lost signals from its remote — ask each remote to offer again, and
    // each unproven peer to answer our challenge again
    sig.on('lost', () => {
      this.handshake.rechallengeAll();
      for (const l of this.links.values()) l.resync();
    });
    sig.on('peerLeft', (id) => {
      const l = this.links.get(id);
      if (l && !l.connected) l.close();
      if (!this.links.has(id)) this.handshake.forget(id);
    });
    sig.on('signal', (from, data) => {
      if (looksLikeKeyProof(data)) {
        this.handshake.handle(from, data);
        return;
      }
      if (!isPeerSignal(data)) return;
      if (!this.handshake.proven(from)) {
        this.unprovenSignalsDropped++;
        return;
      }
      const info = sig.peers.get(from);
      if (!this.links.has(from) && info && !this.h.wants(info)) return;
      this.ensure(from).handleSignal(data);
    });
  }

  /** A wanted peer is in the room: link if it proved the key already, else challenge it. */
  private meet(p: PeerInfo): void {
    if (!this.h.wants(p)) return;
    if (this.handshake.proven(p.id)) this.ensure(p.id);
    else this.handshake.challenge(p.id);
  }

  /**
   * A peer proved the key. A proof may overtake the peer's peer-joined (they travel different
   * paths between nodes): an unknown prover is linked, never ignored — ignoring it would leave an
   * impolite remote waiting for an answer forever. Only known, unwanted peers are not linked.
   */
  private proven(id: string): void {
    const info = this.sig.peers.get(id);
    if (info && !this.h.wants(info)) return;
    this.ensure(id);
  }

  private ensure(id: string): PeerLink {
    let l = this.links.get(id);
    if (l) return l;
    const polite = (this.sig.peerId ?? '') < id;
    l = new PeerLink(id, polite, this.sig.iceServers, (s) => this.sig.signal(id, s), {
      open: (link) => this.h.open(id, link),
      message: (d) => this.h.message(id, d),
      close: () => {
        if (this.links.get(id) === l) this.links.delete(id);
        // a peer that left while its channel lived proves itself again if it comes back
        if (!this.sig.peers.has(id)) this.handshake.forget(id);
        this.h.close(id);
      },
    });
    this.links.set(id, l);
    return l;
  }

  /**
   * The page came back from the background: links to wanted peers that closed meanwhile are set
   * up again, and links whose ICE went disconnected/failed get an ICE restart now.
   */
  wake(): void {
    for (const p of this.sig.peers.values()) {
      if (!this.h.wants(p)) continue;
      if (this.handshake.proven(p.id)) this.ensure(p.id);
      else this.handshake.challenge(p.id, true);
    }
    for (const l of this.links.values()) {
      const ice = l.pc.iceConnectionState;
      if (ice === 'disconnected' || ice === 'failed') l.pc.restartIce();
    }
  }

  /** Connection states, for debugging and tests (window.__p2p.session.debug()). */
  debug(): Record<string, unknown>[] {
    return [...this.links.values()].map((l) => ({
      id: l.remoteId,
      polite: l.polite,
      connection: l.pc.connectionState,
      ice: l.pc.iceConnectionState,
      signaling: l.pc.signalingState,
      channel: l.dc.readyState,
      gathering: l.pc.iceGatheringState,
      ageMs: Date.now() - l.createdAt,
      ...l.counts,
      health: l.monitor.latest,
      lastSwitch: l.lastSwitch,
      iceErrors: l.iceErrors,
    }));
  }

  /** The key-proof handshake's counters and per-peer state (no nonces, no MACs). */
  keyProofDebug(): Record<string, unknown> {
    return { ...this.handshake.debug(), unprovenSignalsDropped: this.unprovenSignalsDropped };
  }

  /** Latest getStats health of every link with an open channel (for the per-peer UI line). */
  health(): { peerId: string; health: LinkHealth | null }[] {
    return [...this.links.values()]
      .filter((l) => l.connected)
      .map((l) => ({ peerId: l.remoteId, health: l.monitor.latest }));
  }

  closeAll(): void {
    for (const l of [...this.links.values()]) l.close();
  }
}
