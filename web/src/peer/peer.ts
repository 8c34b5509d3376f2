/**
 * One RTCPeerConnection per remote peer, "perfect negotiation" (both sides may start; the polite
 * one yields on glare), one negotiated, ordered, reliable data channel, ICE restart on failure,
 * ICE servers from the signaling welcome.
 * Parts elsewhere: channel-link.ts (the DataLink over the channel), ice-flags.ts (page-wide ICE
 * switches, loopback filter), signal.ts (the signal payload). Why ~330 lines: what is left is one
 * connection's negotiation state machine (offers, glare, ICE restarts, watchdog, relay fallback,
 * resync); every handler reads and changes the same connection state.
 */
import { ChannelLink } from './channel-link';
import { hasTurn, RelayFallback, withoutTurn } from './fallback';
import { HealthMonitor, readSample } from './health';
import {
  descOut,
  directFirst,
  filterSdp,
  forceRelay,
  isLoopbackCandidate,
  loopbackOnly,
} from './ice-flags';
import type { DataLink, LinkHealth } from './link';
import type { PeerSignal } from './signal';

export { isLoopbackCandidate } from './ice-flags';
export { isPeerSignal, type PeerSignal } from './signal';

export interface PeerHandlers {
  open(link: DataLink): void;
  message(data: string | ArrayBuffer): void;
  close(): void;
}

export const LOW_WATER = 1024 * 1024;

const WATCHDOG_MS = 20_000;
/**
 * The polite side waits this long for the impolite side's first offer before making its own.
 * Glare is what perfect negotiation resolves, but Chromium 156 does it badly at the start: a fresh
 * local offer rolled back by the remote's offer, then answered, leaves ICE gathering stuck with no
 * local candidate at all (repro: 6 of 16 such answers, 0 of 16 with this wait; web/README.md).
 */
export const POLITE_FIRST_OFFER_DELAY_MS = 1500;
const GRACE_MS = 12_000;
/** ICE candidate errors kept per link for debug() */
const MAX_ICE_ERRORS = 8;

export class PeerLink {
  readonly pc: RTCPeerConnection;
  readonly dc: RTCDataChannel;
  readonly link: DataLink;
  readonly monitor: HealthMonitor;
  readonly fallback: RelayFallback;
  readonly createdAt = Date.now();
  private makingOffer = false;
  private waitedForFirstOffer = false;
  /** when we last asked the remote to offer (resync), ms since the epoch */
  private resyncAskedAt = 0;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private grace: ReturnType<typeof setTimeout> | null = null;
  /** candidates sent / filtered out / received / added, for diagnostics */
  readonly counts = {
    sent: 0,
    dropped: 0,
    received: 0,
    added: 0,
    offers: 0,
    answers: 0,
    relaySwitches: 0,
    /** policy changes that followed the remote's offer (its relay fallback) */
    relayMirrors: 0,
    /** resyncs asked of the remote (ours) / asked of us (theirs) */
    resyncsSent: 0,
    resyncsReceived: 0,
    /** remote candidates held back until the remote description was set */
    early: 0,
    /** remote candidates the connection refused (e.g. of a rolled-back offer) */
    refused: 0,
  };
  /** remote candidates that arrived before any remote description (signals may overtake) */
  private earlyCandidates: RTCIceCandidateInit[] = [];
  /** what made the last relay switch happen (diagnostics: 'rtt' | 'stall' | 'ice' | 'forced') */
  lastSwitch: string | null = null;
  /** the last ICE candidate errors (`icecandidateerror`: code, STUN/TURN URL, text) */
  readonly iceErrors: string[] = [];

  constructor(
    readonly remoteId: string,
    readonly polite: boolean,
    private readonly iceServers: RTCIceServer[],
    private readonly sendSignal: (s: PeerSignal) => void,
    private readonly handlers: PeerHandlers,
  ) {
    this.pc = new RTCPeerConnection({
      iceServers: directFirst() && !forceRelay() ? withoutTurn(iceServers) : iceServers,
      ...(forceRelay() ? { iceTransportPolicy: 'relay' as const } : {}),
    });
    this.dc = this.pc.createDataChannel('p2p-share', { negotiated: true, id: 0, ordered: true });
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = LOW_WATER;
    this.fallback = new RelayFallback(hasTurn(iceServers), forceRelay());
    this.monitor = new HealthMonitor(
      this.pc,
      () => ({ iceState: this.pc.iceConnectionState, queued: this.dc.bufferedAmount > 0 }),
      (h) => this.onHealth(h),
    );
    this.monitor.start();
    this.link = new ChannelLink(this.dc, this.pc, this.monitor);
    this.dc.onopen = () => this.handlers.open(this.link);
    this.dc.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => this.handlers.message(ev.data);
    this.dc.onclose = () => this.close();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate && loopbackOnly() && !isLoopbackCandidate(candidate.candidate)) {
        this.counts.dropped++;
        return;
      }
      if (candidate) this.counts.sent++;
      this.sendSignal({ cand: candidate ? candidate.toJSON() : null });
    };
    this.pc.onicecandidateerror = (e) => {
      const ev = e as RTCPeerConnectionIceErrorEvent;
      this.iceErrors.push(`${ev.errorCode} ${ev.url} ${ev.errorText}`);
      if (this.iceErrors.length > MAX_ICE_ERRORS) this.iceErrors.shift();
    };
    this.pc.onnegotiationneeded = async () => {
      const wait = this.offerWaitMs();
      if (wait > 0) {
        const offers = this.counts.offers;
        await new Promise((r) => setTimeout(r, wait));
        // the remote's offer came (and was answered, which covers the channel) or we closed
        if (this.closed || this.counts.offers !== offers || this.pc.signalingState !== 'stable')
          return;
      }
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        if (this.pc.localDescription) this.sendSignal(this.offerSignal(this.pc.localDescription));
      } catch {
        /* a later negotiationneeded retries */
      } finally {
        this.makingOffer = false;
      }
    };
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === 'failed') this.pc.restartIce();
    };
    // watchdog: a link that is not up after a while gets an ICE restart (new offer, new checks)
    this.watchdog = setInterval(() => {
      if (this.closed || this.connected) {
        if (this.watchdog) clearInterval(this.watchdog);
        if (this.grace) clearTimeout(this.grace);
        return;
      }
      this.pc.restartIce();
    }, WATCHDOG_MS);
    this.pc.onconnectionstatechange = () => {
      const st = this.pc.connectionState;
      if (st === 'closed') {
        this.close();
      } else if (st === 'disconnected' || st === 'failed') {
        // a remote tab that went away: give ICE (and its restart) a grace period, then give up
        this.grace ??= setTimeout(() => {
          this.grace = null;
          if (this.pc.connectionState !== 'connected') this.close();
        }, GRACE_MS);
      } else if (st === 'connected' && this.grace) {
        clearTimeout(this.grace);
        this.grace = null;
      }
    };
  }

  /**
   * How long to wait for the remote's offer before making our own: the polite side's first
   * offer, and any offer right after we asked the remote to offer (resync) — a glare there would
   * roll back a fresh offer, which is what leaves Chromium's gathering stuck.
   */
  private offerWaitMs(): number {
    if (this.polite && !this.pc.remoteDescription && !this.waitedForFirstOffer) {
      this.waitedForFirstOffer = true;
      return POLITE_FIRST_OFFER_DELAY_MS;
    }
    return Math.max(0, this.resyncAskedAt + POLITE_FIRST_OFFER_DELAY_MS - Date.now());
  }

  get connected(): boolean {
    return this.dc.readyState === 'open';
  }

  handleSignal(s: PeerSignal): void {
    this.chain = this.chain.then(() => this.apply(s)).catch(() => {});
  }

  /**
   * Our signaling resumed with `recovered:false`: signals from the remote may be lost (an offer,
   * an answer, candidates). An offer of ours still waiting may have been answered in vain, so it
   * is dropped, and the remote is asked to offer again (with an ICE restart): one side offers,
   * so there is no glare whichever side is polite.
   */
  resync(): void {
    this.chain = this.chain
      .then(async () => {
        if (this.closed) return;
        if (this.pc.signalingState === 'have-local-offer' && !this.makingOffer)
          await this.pc.setLocalDescription({ type: 'rollback' });
        this.counts.resyncsSent++;
        this.resyncAskedAt = Date.now();
        this.sendSignal({ resync: true });
      })
      .catch(() => {});
  }

  /** The remote asked for a resync: offer again (the pending offer, or a fresh ICE restart). */
  private onResync(): void {
    this.counts.resyncsReceived++;
    const st = this.pc.signalingState;
    if (st === 'have-local-offer' && this.pc.localDescription)
      this.sendSignal(this.offerSignal(this.pc.localDescription));
    else if (st === 'stable') this.pc.restartIce(); // → negotiationneeded → a new offer
    // have-remote-offer: our answer is on its way
  }

  /** Our offer, with the ICE transport policy it was made under when TURN is known. */
  private offerSignal(d: RTCSessionDescription): PeerSignal {
    if (!this.fallback.turnKnown) return { desc: descOut(d) };
    return { desc: descOut(d), policy: this.pc.getConfiguration().iceTransportPolicy ?? 'all' };
  }

  /** The remote's offer came under another policy (its relay fallback switched): follow it. */
  private mirrorPolicy(policy: RTCIceTransportPolicy): void {
    if (!this.fallback.mirror(policy, Date.now())) return;
    this.pc.setConfiguration({
      ...this.pc.getConfiguration(),
      iceServers: this.iceServers,
      iceTransportPolicy: policy,
    });
    this.counts.relayMirrors++;
  }

  private async apply({ desc, cand, resync, policy }: PeerSignal): Promise<void> {
    if (this.closed) return;
    if (resync) {
      this.onResync();
    } else if (desc) {
      const readyForOffer =
        !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = desc.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      if (desc.type === 'offer') this.counts.offers++;
      else this.counts.answers++;
      // before the offer is applied: the answer's new ICE generation gathers under it
      if (desc.type === 'offer' && (policy === 'relay' || policy === 'all'))
        this.mirrorPolicy(policy);
      this.settingRemoteAnswer = desc.type === 'answer';
      await this.pc.setRemoteDescription({ type: desc.type, sdp: filterSdp(desc.sdp) });
      this.settingRemoteAnswer = false;
      await this.addEarlyCandidates();
      if (desc.type === 'offer') {
        await this.pc.setLocalDescription();
        if (this.pc.localDescription) this.sendSignal({ desc: descOut(this.pc.localDescription) });
      }
    } else if (cand !== undefined) {
      if (cand) this.counts.received++;
      if (cand && loopbackOnly() && cand.candidate && !isLoopbackCandidate(cand.candidate)) return;
      if (cand && !this.pc.remoteDescription) {
        // adding now would throw and lose it; it is added once the description is set
        this.counts.early++;
        this.earlyCandidates.push(cand);
        return;
      }
      await this.addCandidate(cand);
    }
  }

  private async addCandidate(cand: RTCIceCandidateInit | null): Promise<void> {
    try {
      await this.pc.addIceCandidate(cand ?? undefined);
      if (cand) this.counts.added++;
    } catch {
      this.counts.refused++; // of an ignored or rolled-back offer (another ICE ufrag)
    }
  }

  private async addEarlyCandidates(): Promise<void> {
    const early = this.earlyCandidates;
    this.earlyCandidates = [];
    for (const c of early) await this.addCandidate(c);
  }

  /** One fresh getStats read: rtt in ms (as LinkHealth.rttMs), local candidate type, outgoing bitrate. */
  async health(): Promise<{ rttMs?: number; type?: string; bitrate?: number }> {
    const s = readSample(await this.pc.getStats());
    return {
      rttMs: s.rttMs ?? undefined,
      type: s.localType ?? undefined,
      bitrate: s.availableOutgoingBitrate ?? undefined,
    };
  }

  /** A degraded path with TURN known → relay-only ICE restart (bounded, see fallback.ts). */
  private onHealth(h: LinkHealth): void {
    if (this.closed) return;
    const action = this.fallback.decide(h, Date.now());
    if (!action) return;
    try {
      this.pc.setConfiguration({
        ...this.pc.getConfiguration(),
        iceServers: this.iceServers,
        iceTransportPolicy: action,
      });
      this.counts.relaySwitches++;
      this.lastSwitch = `${action}: ${this.monitor.reason ?? '?'} rtt=${h.rttMs} recv=${h.recvBytesPerSec}`;
      this.pc.restartIce();
    } catch {
      /* closed meanwhile */
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.monitor.stop();
    try {
      this.dc.close();
      this.pc.close();
    } catch {
      /* already closed */
    }
    this.handlers.close();
  }
}
