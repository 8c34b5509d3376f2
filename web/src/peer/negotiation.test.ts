/**
 * PeerLink's negotiation against a fake RTCPeerConnection (Node has none): who makes the first
 * offer, early remote candidates, and the relay switch's configuration.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FALLBACK_DEGRADED_SAMPLES } from './fallback';
import { HEALTH_POLL_MS } from './health';
import { type PeerSignal, PeerLink, POLITE_FIRST_OFFER_DELAY_MS } from './peer';

class FakeChannel {
  readyState = 'connecting';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onopen: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  onclose: (() => void) | null = null;
  close() {
    this.readyState = 'closed';
  }
}

const desc = (type: string, sdp: string) => ({ type, sdp, toJSON: () => ({ type, sdp }) });

class FakePc {
  static last: FakePc;
  signalingState = 'stable';
  connectionState = 'new';
  iceConnectionState = 'new';
  iceGatheringState = 'new';
  localDescription: { type: string; sdp: string; toJSON(): object } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  localOffers = 0;
  added: unknown[] = [];
  restarts = 0;
  rollbacks = 0;
  /** the ICE transport policy in force when the last remote offer was applied */
  policyAtOffer: string | undefined = 'unset';
  onnegotiationneeded: (() => Promise<void>) | null = null;
  onicecandidate: unknown = null;
  oniceconnectionstatechange: unknown = null;
  onconnectionstatechange: unknown = null;
  constructor(public config: RTCConfiguration) {
    FakePc.last = this;
  }
  createDataChannel() {
    return new FakeChannel();
  }
  getConfiguration() {
    return this.config;
  }
  setConfiguration(c: RTCConfiguration) {
    this.config = c;
  }
  restartIce() {
    this.restarts++;
  }
  async setLocalDescription(d?: { type: string }) {
    if (d?.type === 'rollback') {
      this.rollbacks++;
      this.localDescription = null;
      this.signalingState = 'stable';
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = desc('answer', 'a');
      this.signalingState = 'stable';
    } else {
      this.localOffers++;
      this.localDescription = desc('offer', 'o');
      this.signalingState = 'have-local-offer';
    }
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    if (d.type === 'answer' && this.signalingState !== 'have-local-offer')
      throw new Error('answer in ' + this.signalingState);
    if (d.type === 'offer' && this.signalingState === 'have-local-offer') {
      this.rollbacks++; // perfect negotiation's implicit rollback
      this.localDescription = null;
    }
    if (d.type === 'offer') this.policyAtOffer = this.config.iceTransportPolicy;
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }
  async addIceCandidate(c: unknown) {
    if (!this.remoteDescription) throw new Error('no remote description');
    this.added.push(c);
  }
  async getStats() {
    return new Map();
  }
  close() {
    this.connectionState = 'closed';
  }
}

const TURN = [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }];
const noop = { open() {}, message() {}, close() {} };

function link(polite: boolean, iceServers: RTCIceServer[] = []) {
  const sent: PeerSignal[] = [];
  const l = new PeerLink('remote', polite, iceServers, (s) => sent.push(s), noop);
  return { l, pc: FakePc.last, sent };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('RTCPeerConnection', FakePc);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/**
 * Two links wired to each other through a signaling path that can lose what is sent to `a`
 * (its node died: a resume with recovered:false).
 */
function pairOfLinks(aPolite: boolean) {
  let lossToA = false;
  const toB: { link?: PeerLink } = {};
  const toA: PeerSignal[] = [];
  const a = new PeerLink('b', aPolite, [], (s) => toB.link!.handleSignal(s), noop);
  const pcA = FakePc.last;
  const b = new PeerLink(
    'a',
    !aPolite,
    [],
    (s) => {
      toA.push(s);
      if (!lossToA) a.handleSignal(s);
    },
    noop,
  );
  toB.link = b;
  const pcB = FakePc.last;
  return {
    a,
    b,
    pcA,
    pcB,
    toA,
    lose: (on: boolean) => (lossToA = on),
  };
}

describe('PeerLink resync after a resume with recovered:false', () => {
  it('an offer lost on its way to the polite side: both wait for an answer for good until it asks for a resync, then negotiated', async () => {
    const { a, b, pcA, pcB, lose } = pairOfLinks(true);
    lose(true);
    // the impolite b offers; its offer never reaches a (a's node died before delivering it)
    await pcB.onnegotiationneeded!();
    expect(pcB.signalingState).toBe('have-local-offer');
    lose(false);
    // a makes its own offer after its wait: b, impolite and waiting for its answer, ignores it
    const nnA = pcA.onnegotiationneeded!();
    await vi.advanceTimersByTimeAsync(POLITE_FIRST_OFFER_DELAY_MS + 1);
    await nnA;
    expect(pcA.signalingState).toBe('have-local-offer');
    expect(pcB.signalingState).toBe('have-local-offer');
    await vi.advanceTimersByTimeAsync(60_000); // (the watchdog's restart needs a stable state)
    expect(pcB.signalingState).toBe('have-local-offer');
    a.resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.counts.resyncsSent).toBe(1);
    expect(b.counts.resyncsReceived).toBe(1);
    expect(pcA.rollbacks).toBe(1); // its own stale offer
    expect(pcA.signalingState).toBe('stable');
    expect(pcB.signalingState).toBe('stable');
    expect(pcA.remoteDescription?.type).toBe('offer'); // b's offer, sent again
    expect(pcB.remoteDescription?.type).toBe('answer');
    a.close();
    b.close();
  });

  it('an answer lost on its way: the side that offered drops its offer and the remote offers anew', async () => {
    const { a, b, pcA, pcB, lose } = pairOfLinks(false);
    lose(true);
    await pcA.onnegotiationneeded!(); // a, impolite, offers; b answers; the answer is lost
    await vi.advanceTimersByTimeAsync(0);
    expect(pcB.signalingState).toBe('stable');
    expect(pcA.signalingState).toBe('have-local-offer');
    lose(false);
    a.resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(pcA.rollbacks).toBe(1);
    expect(pcB.restarts).toBe(1); // b was stable: an ICE restart, and the browser then fires
    const nnB = pcB.onnegotiationneeded!(); // negotiationneeded
    await vi.advanceTimersByTimeAsync(0);
    await nnB;
    expect(pcA.signalingState).toBe('stable');
    expect(pcB.signalingState).toBe('stable');
    expect(pcA.remoteDescription?.type).toBe('offer');
    expect(pcB.remoteDescription?.type).toBe('answer');
    a.close();
    b.close();
  });

  it('a negotiated link: the remote offers again with an ICE restart', async () => {
    const { a, b, pcA, pcB } = pairOfLinks(true);
    const nnB = pcB.onnegotiationneeded!(); // b is impolite: offers at once, a answers
    await vi.advanceTimersByTimeAsync(0);
    await nnB;
    expect(pcA.signalingState).toBe('stable');
    expect(pcB.remoteDescription?.type).toBe('answer');
    a.resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(pcB.restarts).toBe(1); // the browser then fires negotiationneeded:
    const offersBefore = pcB.localOffers;
    await pcB.onnegotiationneeded!();
    await vi.advanceTimersByTimeAsync(0);
    expect(pcB.localOffers).toBe(offersBefore + 1);
    expect(a.counts.answers + a.counts.offers).toBe(2); // a took the restart offer too
    expect(pcA.signalingState).toBe('stable');
    expect(pcB.signalingState).toBe('stable');
    a.close();
    b.close();
  });

  it('the side that asked waits for the remote offer instead of making its own (no glare)', async () => {
    const { a, pcA } = pairOfLinks(false);
    a.resync();
    await vi.advanceTimersByTimeAsync(0);
    const nn = pcA.onnegotiationneeded!();
    await vi.advanceTimersByTimeAsync(POLITE_FIRST_OFFER_DELAY_MS - 10);
    expect(pcA.localOffers).toBe(0);
    await vi.advanceTimersByTimeAsync(POLITE_FIRST_OFFER_DELAY_MS);
    await nn;
    a.close();
  });
});

describe('PeerLink negotiation', () => {
  it('the impolite side offers at once', async () => {
    const { l, pc, sent } = link(false);
    await pc.onnegotiationneeded!();
    expect(pc.localOffers).toBe(1);
    expect(sent[0]?.desc?.type).toBe('offer');
    l.close();
  });

  it('the polite side does not offer when the first offer comes within the wait (no glare rollback)', async () => {
    const { l, pc, sent } = link(true);
    const nn = pc.onnegotiationneeded!();
    l.handleSignal({ desc: { type: 'offer', sdp: 'remote' } });
    await vi.advanceTimersByTimeAsync(POLITE_FIRST_OFFER_DELAY_MS + 1);
    await nn;
    expect(pc.localOffers).toBe(0);
    expect(sent.map((s) => s.desc?.type)).toEqual(['answer']);
    l.close();
  });

  it('the polite side offers itself after the wait when no offer came', async () => {
    const { l, pc, sent } = link(true);
    const nn = pc.onnegotiationneeded!();
    await vi.advanceTimersByTimeAsync(POLITE_FIRST_OFFER_DELAY_MS - 10);
    expect(pc.localOffers).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    await nn;
    expect(pc.localOffers).toBe(1);
    expect(sent[0]?.desc?.type).toBe('offer');
    l.close();
  });

  it('holds remote candidates that overtake the description and adds them after it', async () => {
    const { l, pc } = link(true);
    const cand = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' };
    l.handleSignal({ cand });
    await vi.advanceTimersByTimeAsync(0);
    expect(pc.added).toEqual([]);
    expect(l.counts.early).toBe(1);
    l.handleSignal({ desc: { type: 'offer', sdp: 'remote' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(pc.added).toEqual([cand]);
    expect(l.counts.added).toBe(1);
    l.close();
  });

  it('a link forced degraded with TURN known switches to relay-only with the TURN servers and restarts ICE', async () => {
    const { l, pc } = link(false, TURN);
    l.monitor.forceDegraded = true;
    await vi.advanceTimersByTimeAsync(HEALTH_POLL_MS * (FALLBACK_DEGRADED_SAMPLES + 1));
    expect(pc.config.iceTransportPolicy).toBe('relay');
    expect(pc.config.iceServers).toEqual(TURN);
    expect(pc.restarts).toBe(1);
    expect(l.counts.relaySwitches).toBe(1);
    l.close();
  });

  it('no switch without TURN', async () => {
    const { l, pc } = link(false, [{ urls: 'stun:127.0.0.1:3478' }]);
    l.monitor.forceDegraded = true;
    await vi.advanceTimersByTimeAsync(HEALTH_POLL_MS * 15); // (before the 20 s watchdog)
    expect(pc.config.iceTransportPolicy).toBeUndefined();
    expect(pc.restarts).toBe(0);
    l.close();
  });

  it('the relay switch is followed by the remote: its offer carries the policy, applied before the offer', async () => {
    const a = link(false, TURN);
    const b = link(true, TURN);
    await a.pc.onnegotiationneeded!();
    const firstOffer = a.sent.find((s) => s.desc?.type === 'offer')!;
    expect(firstOffer.policy).toBe('all');
    b.l.handleSignal(firstOffer);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.pc.config.iceTransportPolicy).toBeUndefined(); // same policy: nothing to follow
    a.pc.signalingState = 'stable'; // (the answer is not wired back in this test)
    a.l.monitor.forceDegraded = true;
    await vi.advanceTimersByTimeAsync(HEALTH_POLL_MS * (FALLBACK_DEGRADED_SAMPLES + 1));
    expect(a.pc.restarts).toBe(1);
    await a.pc.onnegotiationneeded!(); // what restartIce() fires
    const restartOffer = a.sent.filter((s) => s.desc?.type === 'offer').at(-1)!;
    expect(restartOffer.policy).toBe('relay');
    b.l.handleSignal(restartOffer);
    await vi.advanceTimersByTimeAsync(0);
    // relay-only before the offer was applied: the answer's new ICE generation gathers TURN only
    expect(b.pc.policyAtOffer).toBe('relay');
    expect(b.pc.config.iceServers).toEqual(TURN);
    expect(b.l.counts.relayMirrors).toBe(1);
    expect(b.l.counts.relaySwitches).toBe(0);
    expect(b.sent.at(-1)?.desc?.type).toBe('answer');
    a.l.close();
    b.l.close();
  });

  it('without TURN an offer carries no policy, and a policy from the remote is not followed', async () => {
    const a = link(false);
    await a.pc.onnegotiationneeded!();
    expect(a.sent.find((s) => s.desc?.type === 'offer')).not.toHaveProperty('policy');
    const b = link(true);
    b.l.handleSignal({ desc: { type: 'offer', sdp: 'o' }, policy: 'relay' });
    await vi.advanceTimersByTimeAsync(0);
    expect(b.pc.policyAtOffer).toBeUndefined();
    expect(b.l.counts.relayMirrors).toBe(0);
    a.l.close();
    b.l.close();
  });
});
