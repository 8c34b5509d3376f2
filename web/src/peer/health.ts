/**
 * Connection health from `RTCPeerConnection.getStats()`: rtt of the selected candidate pair,
 * send/receive rates from byte-counter deltas (Chromium reports no availableOutgoingBitrate for a
 * data-channel-only connection, so it is used only when present), the path (direct / stun / relay)
 * from the selected pair's candidate types, and a `degraded` verdict from named thresholds.
 * The pure part (`readSample`, `HealthTracker`) is unit-tested with fabricated reports.
 */
import type { LinkHealth } from './link';

/** How often each peer connection's stats are read. */
export const HEALTH_POLL_MS = 1000;
/**
 * An rtt above this in RTT_DEGRADED_SAMPLES consecutive measurements makes the path degraded.
 * Chromium measures rtt with the ICE checks, about every 2.5 s once connected: a reading repeated
 * by the next stats poll (same `responsesReceived`) is not counted again.
 */
export const RTT_DEGRADED_MS = 500;
export const RTT_DEGRADED_SAMPLES = 3;
/** No byte received for this many consecutive samples while data is in flight → degraded. */
export const STALL_DEGRADED_SAMPLES = 4;

export type PathKind = NonNullable<LinkHealth['path']>;

/** What one getStats() report says about the selected candidate pair. */
export interface StatsSample {
  /** report timestamp, ms */
  at: number;
  rttMs: number | null;
  /** STUN responses received on the pair: changes when rtt was measured again */
  rttResponses: number | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  /** only some browsers report it (not Chromium for data channels) */
  availableOutgoingBitrate: number | null;
  localType: string | null;
  remoteType: string | null;
}

/** Minimal view of an RTCStatsReport (a Map of id → stats dictionary). */
export interface StatsLike {
  get(id: string): unknown;
  forEach(cb: (value: unknown) => void): void;
}

type Rec = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The selected pair: the transport's `selectedCandidatePairId` (Chromium, spec), else a pair with
 * `selected` (Firefox), else a nominated, succeeded pair.
 */
function selectedPair(report: StatsLike): Rec | null {
  let viaTransport: Rec | null = null;
  let flagged: Rec | null = null;
  let nominated: Rec | null = null;
  report.forEach((v) => {
    const r = v as Rec;
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      const p = report.get(r.selectedCandidatePairId) as Rec | undefined;
      if (p) viaTransport ??= p;
    } else if (r.type === 'candidate-pair') {
      if (r.selected === true) flagged ??= r;
      if (r.nominated === true && r.state === 'succeeded') nominated ??= r;
    }
  });
  return viaTransport ?? flagged ?? nominated;
}

export function readSample(report: StatsLike, fallbackNow = Date.now()): StatsSample {
  const pair = selectedPair(report);
  const out: StatsSample = {
    at: fallbackNow,
    rttMs: null,
    rttResponses: null,
    bytesSent: null,
    bytesReceived: null,
    availableOutgoingBitrate: null,
    localType: null,
    remoteType: null,
  };
  if (!pair) return out;
  out.at = num(pair.timestamp) ?? fallbackNow;
  const rtt = num(pair.currentRoundTripTime);
  out.rttMs = rtt === null ? null : rtt * 1000;
  out.rttResponses = num(pair.responsesReceived);
  out.bytesSent = num(pair.bytesSent);
  out.bytesReceived = num(pair.bytesReceived);
  out.availableOutgoingBitrate = num(pair.availableOutgoingBitrate);
  const local = report.get(String(pair.localCandidateId)) as Rec | undefined;
  const remote = report.get(String(pair.remoteCandidateId)) as Rec | undefined;
  out.localType = str(local?.candidateType);
  out.remoteType = str(remote?.candidateType);
  return out;
}

/** host/host → direct; srflx/prflx on either side → stun; relay on either side → relay. */
export function pathOf(localType: string | null, remoteType: string | null): PathKind | null {
  if (!localType || !remoteType) return null;
  if (localType === 'relay' || remoteType === 'relay') return 'relay';
  if ([localType, remoteType].some((t) => t === 'srflx' || t === 'prflx')) return 'stun';
  return 'direct';
}

/** What the link knows besides getStats (ICE state, whether it waits for data). */
export interface LinkContext {
  iceState: RTCIceConnectionState | string;
  /** data queued in the channel (bufferedAmount > 0) */
  queued: boolean;
}

/** Turns successive samples into LinkHealth (rates from deltas, degraded by thresholds). */
export class HealthTracker {
  private prev: StatsSample | null = null;
  private highRtt = 0;
  private stalled = 0;
  latest: LinkHealth | null = null;
  /** why the latest sample is degraded (diagnostics) */
  reason: 'ice' | 'rtt' | 'stall' | null = null;

  update(s: StatsSample, ctx: LinkContext): LinkHealth {
    const p = this.prev;
    const dt = p ? (s.at - p.at) / 1000 : 0;
    const rate = (now: number | null, before: number | null | undefined) =>
      dt > 0 && now !== null && before !== null && before !== undefined
        ? Math.max(0, (now - before) / dt)
        : null;
    const recv = rate(s.bytesReceived, p?.bytesReceived);
    const sent = rate(s.bytesSent, p?.bytesSent);
    // the estimate stands in only where the browser has no byte counters
    const send =
      sent ?? (s.availableOutgoingBitrate === null ? null : s.availableOutgoingBitrate / 8);
    this.prev = s;

    const fresh = s.rttResponses === null || s.rttResponses !== p?.rttResponses;
    if (s.rttMs === null || s.rttMs <= RTT_DEGRADED_MS) this.highRtt = 0;
    else if (fresh) this.highRtt++;
    // data in flight (queued, or bytes went out) must be acknowledged: SCTP SACKs and replies
    // count in bytesReceived, so nothing at all coming back means the path stalls
    const inFlight = ctx.queued || (sent ?? 0) > 0;
    this.stalled = inFlight && recv === 0 ? this.stalled + 1 : 0;
    const iceBad = ctx.iceState === 'disconnected' || ctx.iceState === 'failed';
    this.reason = iceBad
      ? 'ice'
      : this.highRtt >= RTT_DEGRADED_SAMPLES
        ? 'rtt'
        : this.stalled >= STALL_DEGRADED_SAMPLES
          ? 'stall'
          : null;
    this.latest = {
      rttMs: s.rttMs,
      sendBytesPerSec: send,
      recvBytesPerSec: recv,
      path: pathOf(s.localType, s.remoteType),
      degraded: this.reason !== null,
    };
    return this.latest;
  }
}

/**
 * Polls one peer connection every HEALTH_POLL_MS; `forceDegraded` is a test hook (the relay
 * fallback e2e sets it to simulate a bad direct path).
 */
export class HealthMonitor {
  private readonly tracker = new HealthTracker();
  private timer: ReturnType<typeof setInterval> | null = null;
  forceDegraded = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly context: () => LinkContext,
    private readonly onSample: (h: LinkHealth) => void = () => {},
  ) {}

  /** why the path counts as degraded now ('forced' by the test hook), null if it does not */
  get reason(): string | null {
    return this.forceDegraded ? 'forced' : this.tracker.reason;
  }

  get latest(): LinkHealth | null {
    const l = this.tracker.latest;
    return l && this.forceDegraded ? { ...l, degraded: true } : l;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), HEALTH_POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.pc.connectionState === 'closed') return this.stop();
    try {
      const report = await this.pc.getStats();
      this.tracker.update(readSample(report), this.context());
      const h = this.latest;
      if (h) this.onSample(h);
    } catch {
      /* the connection closed while reading */
    }
  }
}
