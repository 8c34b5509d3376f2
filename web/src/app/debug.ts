/** The signaling and link state both sessions report in debug() (the e2e suites read it). */
import type { Mesh } from '../peer/mesh';
import type { SignalingClient } from '../signaling/client';

export function connectionDebug(sig: SignalingClient | null, mesh: Mesh | null) {
  return {
    status: sig?.status,
    peerId: sig?.peerId,
    node: sig?.nodeId,
    peers: [...(sig?.peers.values() ?? [])],
    links: mesh?.debug(),
    keyProof: mesh?.keyProofDebug(),
  };
}
