/**
 * Page-wide ICE switches set once at start-up (test/debug hooks: ui/main.ts reads them from the
 * test build's query), and the loopback-only filter of SDP and candidates they drive.
 */
/** Test/debug hook: keep only loopback ICE candidates (127.0.0.0/8, ::1), local and remote. */
let loopbackOnlyFlag = false;
export function setLoopbackOnly(on: boolean): void {
  loopbackOnlyFlag = on;
}
export const loopbackOnly = (): boolean => loopbackOnlyFlag;

export function isLoopbackCandidate(candidate: string): boolean {
  const addr = candidate.replace(/^a=/, '').split(' ')[4] ?? '';
  return addr.startsWith('127.') || addr === '::1';
}

/** Test/debug hook: relay-only ICE (iceTransportPolicy 'relay') from the start, for every link. */
let forceRelayFlag = false;
export function setForceRelay(on: boolean): void {
  forceRelayFlag = on;
}
export const forceRelay = (): boolean => forceRelayFlag;

/**
 * Test/debug hook: connect first without the TURN servers (the path starts direct even where a
 * loopback relay would compete with host candidates); TURN stays known for the relay fallback.
 */
let directFirstFlag = false;
export function setDirectFirst(on: boolean): void {
  directFirstFlag = on;
}
export const directFirst = (): boolean => directFirstFlag;

export function filterSdp(sdp: string | undefined): string | undefined {
  if (!loopbackOnlyFlag || !sdp) return sdp;
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || isLoopbackCandidate(l))
    .join('\r\n');
}

export function descOut(d: RTCSessionDescription): RTCSessionDescriptionInit {
  const j = d.toJSON() as RTCSessionDescriptionInit;
  return { type: j.type, sdp: filterSdp(j.sdp) };
}
