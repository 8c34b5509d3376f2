/** What one peer's PeerLink sends the other's through signaling (the `signal` payload). */
export interface PeerSignal {
  desc?: RTCSessionDescriptionInit;
  /**
   * With an offer, where TURN is known: the ICE transport policy it was made under. The remote
   * follows it (relay fallback): Chromium stops gathering once a pair is strongly connected, so a
   * remote left on 'all' usually answers an ICE restart with host candidates only — its TURN
   * allocation loses the race against the direct pair — and the switched side has no relay
   * candidate to reach (web/README.md, "relay fallback").
   */
  policy?: RTCIceTransportPolicy;
  cand?: RTCIceCandidateInit | null;
  /**
   * "I may have missed your signals (my signaling resumed with recovered:false): offer again."
   * The receiver re-sends its pending offer, or makes a fresh one with an ICE restart.
   */
  resync?: true;
}

export function isPeerSignal(x: unknown): x is PeerSignal {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (typeof o.desc === 'object' && o.desc !== null) || 'cand' in o || o.resync === true;
}
