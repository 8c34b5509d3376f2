/**
 * Keeps one PeerLink per remote peer of the room, driven by signaling membership. A live data
 * channel outlives its signaling: a `peer-left` (e.g. the remote's node died and it resumed with a
 * new id) does not tear down a channel that is still open.
 */
import type { SignalingClient } from '../signaling/client';
import type { PeerInfo } from '../signaling/messages';
import type { DataLink, LinkHealth } from './link';
import { isPeerSignal, PeerLink } from './peer';

export interface MeshHandlers {
  /** whether to open a connection to this peer at all (e.g. receivers only talk to senders) */
  wants(peer: PeerInfo): boolean;
  open(peerId: string, link: DataLink): void;
  message(peerId: string, data: string | ArrayBuffer): void;
  close(peerId: string): void;
}

export class Mesh {
  readonly links = new Map<string, PeerLink>();

  constructor(
    private readonly sig: SignalingClient,
    private readonly h: MeshHandlers,
  ) {
    sig.on('welcome', (w) => {
      for (const p of w.peers) if (this.h.wants(p)) this.ensure(p.id);
    });
    sig.on('peerJoined', (p) => {
      if (this.h.wants(p)) this.ensure(p.id);
    });
    // our signaling resumed with recovered:false: every link (also those the welcome just
    // created) may have lost signals from its remote — ask each remote to offer again
    sig.on('lost', () => {
      for (const l of this.links.values()) l.resync();
    });
    sig.on('peerLeft', (id) => {
      const l = this.links.get(id);
      if (l && !l.connected) l.close();
    });
    sig.on('signal', (from, data) => {
      if (!isPeerSignal(data)) return;
      // A signal may overtake the remote's peer-joined (they travel different paths between
      // nodes): an unknown sender is answered, never dropped — dropping its offer would leave an
      // impolite remote waiting for an answer forever. Only known, unwanted peers are ignored.
      const info = sig.peers.get(from);
      if (!this.links.has(from) && info && !this.h.wants(info)) return;
      this.ensure(from).handleSignal(data);
    });
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
    for (const p of this.sig.peers.values()) if (this.h.wants(p)) this.ensure(p.id);
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
