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
  async setLocalDescription() {
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = desc('answer', 'a');
      this.signalingState = 'stable';
    } else {
      this.localOffers++;
      this.localDescription = desc('offer', 'o');
      this.signalingState = 'have-local-offer';
    }
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
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
});
