/**
 * One RTCPeerConnection per remote peer, "perfect negotiation" (both sides may start; the polite
 * one yields on glare), one negotiated, ordered, reliable data channel, ICE restart on failure,
 * ICE servers from the signaling welcome.
 */
import type { DataLink } from '../transfer/link';

export interface PeerSignal {
  desc?: RTCSessionDescriptionInit;
  cand?: RTCIceCandidateInit | null;
}

export interface PeerHandlers {
  open(link: DataLink): void;
  message(data: string | ArrayBuffer): void;
  close(): void;
}

export const LOW_WATER = 1024 * 1024;

/** Test/debug hook: keep only loopback ICE candidates (127.0.0.0/8, ::1), local and remote. */
let loopbackOnly = false;
export function setLoopbackOnly(on: boolean): void {
  loopbackOnly = on;
}

export function isLoopbackCandidate(candidate: string): boolean {
  const addr = candidate.replace(/^a=/, '').split(' ')[4] ?? '';
  return addr.startsWith('127.') || addr === '::1';
}

function filterSdp(sdp: string | undefined): string | undefined {
  if (!loopbackOnly || !sdp) return sdp;
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || isLoopbackCandidate(l))
    .join('\r\n');
}

function descOut(d: RTCSessionDescription): RTCSessionDescriptionInit {
  const j = d.toJSON() as RTCSessionDescriptionInit;
  return { type: j.type, sdp: filterSdp(j.sdp) };
}
const WATCHDOG_MS = 20_000;
const GRACE_MS = 12_000;

class ChannelLink implements DataLink {
  constructor(private readonly dc: RTCDataChannel) {}
  get open(): boolean {
    return this.dc.readyState === 'open';
  }
  get bufferedAmount(): number {
    return this.dc.bufferedAmount;
  }
  send(data: string | ArrayBuffer): void {
    if (typeof data === 'string') this.dc.send(data);
    else this.dc.send(data);
  }
  drained(): Promise<void> {
    if (this.dc.bufferedAmount <= this.dc.bufferedAmountLowThreshold || !this.open)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.dc.removeEventListener('bufferedamountlow', done);
        this.dc.removeEventListener('close', done);
        resolve();
      };
      this.dc.addEventListener('bufferedamountlow', done);
      this.dc.addEventListener('close', done);
    });
  }
}

export class PeerLink {
  readonly pc: RTCPeerConnection;
  readonly dc: RTCDataChannel;
  readonly link: DataLink;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private grace: ReturnType<typeof setTimeout> | null = null;
  /** candidates sent / filtered out / received / added, for diagnostics */
  readonly counts = { sent: 0, dropped: 0, received: 0, added: 0, offers: 0, answers: 0 };

  constructor(
    readonly remoteId: string,
    readonly polite: boolean,
    iceServers: RTCIceServer[],
    private readonly sendSignal: (s: PeerSignal) => void,
    private readonly handlers: PeerHandlers,
  ) {
    this.pc = new RTCPeerConnection({ iceServers });
    this.dc = this.pc.createDataChannel('p2p-share', { negotiated: true, id: 0, ordered: true });
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = LOW_WATER;
    this.link = new ChannelLink(this.dc);
    this.dc.onopen = () => this.handlers.open(this.link);
    this.dc.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => this.handlers.message(ev.data);
    this.dc.onclose = () => this.close();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate && loopbackOnly && !isLoopbackCandidate(candidate.candidate)) {
        this.counts.dropped++;
        return;
      }
      if (candidate) this.counts.sent++;
      this.sendSignal({ cand: candidate ? candidate.toJSON() : null });
    };
    this.pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        if (this.pc.localDescription) this.sendSignal({ desc: descOut(this.pc.localDescription) });
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

  get connected(): boolean {
    return this.dc.readyState === 'open';
  }

  handleSignal(s: PeerSignal): void {
    this.chain = this.chain.then(() => this.apply(s)).catch(() => {});
  }

  private async apply({ desc, cand }: PeerSignal): Promise<void> {
    if (this.closed) return;
    if (desc) {
      const readyForOffer =
        !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = desc.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      if (desc.type === 'offer') this.counts.offers++;
      else this.counts.answers++;
      this.settingRemoteAnswer = desc.type === 'answer';
      await this.pc.setRemoteDescription({ type: desc.type, sdp: filterSdp(desc.sdp) });
      this.settingRemoteAnswer = false;
      if (desc.type === 'offer') {
        await this.pc.setLocalDescription();
        if (this.pc.localDescription) this.sendSignal({ desc: descOut(this.pc.localDescription) });
      }
    } else if (cand !== undefined) {
      if (cand) this.counts.received++;
      if (cand && loopbackOnly && cand.candidate && !isLoopbackCandidate(cand.candidate)) return;
      try {
        await this.pc.addIceCandidate(cand ?? undefined);
        if (cand) this.counts.added++;
      } catch (e) {
        if (!this.ignoreOffer) throw e;
      }
    }
  }

  /** Connection health for the UI: rtt and the selected candidate type. */
  async health(): Promise<{ rtt?: number; type?: string; bitrate?: number }> {
    const out: { rtt?: number; type?: string; bitrate?: number } = {};
    const stats = await this.pc.getStats();
    stats.forEach((r: Record<string, unknown>) => {
      if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
        if (typeof r.currentRoundTripTime === 'number') out.rtt = r.currentRoundTripTime;
        if (typeof r.availableOutgoingBitrate === 'number')
          out.bitrate = r.availableOutgoingBitrate;
        const local = stats.get(r.localCandidateId as string) as
          Record<string, unknown> | undefined;
        if (local && typeof local.candidateType === 'string') out.type = local.candidateType;
      }
    });
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    try {
      this.dc.close();
      this.pc.close();
    } catch {
      /* already closed */
    }
    this.handlers.close();
  }
}

export function isPeerSignal(x: unknown): x is PeerSignal {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (typeof o.desc === 'object' && o.desc !== null) || 'cand' in o;
}
