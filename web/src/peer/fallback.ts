/**
 * Relay fallback decision: a peer connection whose path stays degraded while TURN servers are
 * known is switched to relay-only (setConfiguration iceTransportPolicy 'relay' + restartIce).
 * Bounded: only after the path was degraded for a while, and at most once per interval.
 */
import type { LinkHealth } from './link';

/** Degraded samples in a row (one per HEALTH_POLL_MS) before switching to the relay. */
export const FALLBACK_DEGRADED_SAMPLES = 3;
/** At most one switch per this interval per connection (an ICE restart costs seconds). */
export const FALLBACK_MIN_INTERVAL_MS = 60_000;

const urlsOf = (s: RTCIceServer) => (Array.isArray(s.urls) ? s.urls : [s.urls]);
const isTurnUrl = (u: string) => /^turns?:/i.test(u);

export function hasTurn(iceServers: RTCIceServer[]): boolean {
  return iceServers.some((s) => urlsOf(s).some(isTurnUrl));
}

/** The servers without their TURN URLs (STUN stays). */
export function withoutTurn(iceServers: RTCIceServer[]): RTCIceServer[] {
  return iceServers
    .map((s) => ({ ...s, urls: urlsOf(s).filter((u) => !isTurnUrl(u)) }))
    .filter((s) => s.urls.length > 0);
}

export type FallbackAction = 'relay' | 'all' | null;

export class RelayFallback {
  private degradedRun = 0;
  private lastSwitchAt = -Infinity;
  /** relay-only policy in force (set by a switch, or pinned from the start by a test hook) */
  onRelay: boolean;

  constructor(
    readonly turnKnown: boolean,
    private readonly pinnedRelay = false,
  ) {
    this.onRelay = pinnedRelay;
  }

  /**
   * Feeds one health sample. 'relay': switch to relay-only now; 'all': the relay did not help
   * either (still degraded a full interval after the switch), go back to every candidate type.
   */
  decide(h: LinkHealth, now: number): FallbackAction {
    this.degradedRun = h.degraded ? this.degradedRun + 1 : 0;
    if (!this.turnKnown || this.pinnedRelay) return null;
    if (this.degradedRun < FALLBACK_DEGRADED_SAMPLES) return null;
    if (now - this.lastSwitchAt < FALLBACK_MIN_INTERVAL_MS) return null;
    if (!this.onRelay && h.path === 'relay') return null; // already relayed (e.g. no other path)
    this.lastSwitchAt = now;
    this.degradedRun = 0;
    this.onRelay = !this.onRelay;
    return this.onRelay ? 'relay' : 'all';
  }

  /**
   * The remote's offer was made under `policy` (it switched, or switched back): follow it, so
   * that the new ICE generation is relayed on both sides. Counts as a switch (same interval).
   * Returns whether our policy changes.
   */
  mirror(policy: RTCIceTransportPolicy, now: number): boolean {
    if (!this.turnKnown || this.pinnedRelay) return false;
    const relay = policy === 'relay';
    if (relay === this.onRelay) return false;
    this.onRelay = relay;
    this.lastSwitchAt = now;
    this.degradedRun = 0;
    return true;
  }
}
