import { describe, expect, it } from 'vitest';
import {
  HealthTracker,
  pathOf,
  readSample,
  RTT_DEGRADED_MS,
  RTT_DEGRADED_SAMPLES,
  STALL_DEGRADED_SAMPLES,
  type StatsSample,
} from './health';

type Rec = Record<string, unknown>;
const report = (...entries: Rec[]) => new Map(entries.map((e) => [e.id as string, e]));

/** Shaped like Chromium 156's report for a data-channel-only connection (no bitrate estimate). */
function chromiumLike(o: {
  t: number;
  rtt: number;
  sent: number;
  recv: number;
  local?: string;
  remote?: string;
}) {
  return report(
    { id: 'T01', type: 'transport', timestamp: o.t, selectedCandidatePairId: 'CPa_b' },
    {
      id: 'CPa_b',
      type: 'candidate-pair',
      timestamp: o.t,
      localCandidateId: 'Ia',
      remoteCandidateId: 'Ib',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: o.rtt,
      responsesReceived: 7,
      bytesSent: o.sent,
      bytesReceived: o.recv,
    },
    // a second, unselected pair that must be ignored
    {
      id: 'CPc_d',
      type: 'candidate-pair',
      timestamp: o.t,
      localCandidateId: 'Ic',
      remoteCandidateId: 'Id',
      state: 'succeeded',
      nominated: false,
      currentRoundTripTime: 9,
      bytesSent: 1,
      bytesReceived: 1,
    },
    { id: 'Ia', type: 'local-candidate', candidateType: o.local ?? 'host', address: '127.0.0.1' },
    { id: 'Ib', type: 'remote-candidate', candidateType: o.remote ?? 'host', address: '::1' },
    { id: 'Ic', type: 'local-candidate', candidateType: 'relay' },
    { id: 'Id', type: 'remote-candidate', candidateType: 'relay' },
  );
}

const sample = (
  at: number,
  sent: number,
  recv: number,
  rttMs: number | null = 2,
  rttResponses: number | null = null,
): StatsSample => ({
  at,
  rttMs,
  rttResponses,
  bytesSent: sent,
  bytesReceived: recv,
  availableOutgoingBitrate: null,
  localType: 'host',
  remoteType: 'host',
});
const ok = { iceState: 'connected', queued: false };

describe('readSample', () => {
  it('reads the pair the transport selected', () => {
    const s = readSample(chromiumLike({ t: 5000, rtt: 0.012, sent: 100, recv: 200 }));
    expect(s).toEqual({
      at: 5000,
      rttMs: 12,
      rttResponses: 7,
      bytesSent: 100,
      bytesReceived: 200,
      availableOutgoingBitrate: null,
      localType: 'host',
      remoteType: 'host',
    });
  });

  it('falls back to a selected (Firefox) or nominated+succeeded pair', () => {
    const ff = report(
      {
        id: 'p1',
        type: 'candidate-pair',
        timestamp: 1,
        selected: true,
        localCandidateId: 'l',
        remoteCandidateId: 'r',
        availableOutgoingBitrate: 8e6,
      },
      { id: 'l', type: 'local-candidate', candidateType: 'srflx' },
      { id: 'r', type: 'remote-candidate', candidateType: 'host' },
    );
    const s = readSample(ff);
    expect(s.availableOutgoingBitrate).toBe(8e6);
    expect(pathOf(s.localType, s.remoteType)).toBe('stun');
  });

  it('is empty without a selected pair (still connecting)', () => {
    const s = readSample(report({ id: 'T', type: 'transport', timestamp: 3 }), 42);
    expect(s.rttMs).toBeNull();
    expect(s.localType).toBeNull();
    expect(s.at).toBe(42);
  });
});

describe('pathOf', () => {
  it('maps candidate types to direct / stun / relay', () => {
    expect(pathOf('host', 'host')).toBe('direct');
    expect(pathOf('srflx', 'host')).toBe('stun');
    expect(pathOf('host', 'prflx')).toBe('stun');
    expect(pathOf('relay', 'host')).toBe('relay');
    expect(pathOf('srflx', 'relay')).toBe('relay');
    expect(pathOf(null, 'host')).toBeNull();
  });
});

describe('HealthTracker', () => {
  it('derives rates from byte-counter deltas over the report timestamps', () => {
    const t = new HealthTracker();
    const first = t.update(readSample(chromiumLike({ t: 0, rtt: 0.01, sent: 0, recv: 0 })), ok);
    expect(first.sendBytesPerSec).toBeNull(); // one sample: no delta yet
    const h = t.update(
      readSample(
        chromiumLike({ t: 2000, rtt: 0.01, sent: 4_000_000, recv: 1_000, local: 'relay' }),
      ),
      ok,
    );
    expect(h.sendBytesPerSec).toBe(2_000_000);
    expect(h.recvBytesPerSec).toBe(500);
    expect(h.rttMs).toBe(10);
    expect(h.path).toBe('relay');
    expect(h.degraded).toBe(false);
  });

  it('uses availableOutgoingBitrate only when there are no byte counters', () => {
    const t = new HealthTracker();
    const s = { ...sample(0, 0, 0), bytesSent: null, availableOutgoingBitrate: 8_000_000 };
    t.update(s, ok);
    expect(t.update({ ...s, at: 1000 }, ok).sendBytesPerSec).toBe(1_000_000);
    const c = new HealthTracker();
    c.update({ ...sample(0, 0, 0), availableOutgoingBitrate: 8e6 }, ok);
    expect(
      c.update({ ...sample(1000, 300, 0), availableOutgoingBitrate: 8e6 }, ok).sendBytesPerSec,
    ).toBe(300);
  });

  it(`is degraded after ${RTT_DEGRADED_SAMPLES} samples above ${RTT_DEGRADED_MS} ms rtt, not before`, () => {
    const t = new HealthTracker();
    const high = RTT_DEGRADED_MS + 1;
    const got: boolean[] = [];
    for (let i = 0; i < RTT_DEGRADED_SAMPLES; i++)
      got.push(t.update(sample(i * 1000, i, i, high), ok).degraded);
    expect(got).toEqual([...Array(RTT_DEGRADED_SAMPLES - 1).fill(false), true]);
    // one good sample resets the run
    expect(t.update(sample(9000, 10, 10, 5), ok).degraded).toBe(false);
    expect(t.update(sample(10000, 11, 11, high), ok).degraded).toBe(false);
  });

  it('counts one rtt measurement once, however often the stats are polled', () => {
    const t = new HealthTracker();
    const high = RTT_DEGRADED_MS + 1;
    let d = false;
    // the same reading (responsesReceived unchanged) polled many times: not degraded
    for (let i = 0; i < 3 * RTT_DEGRADED_SAMPLES; i++)
      d = t.update(sample(i * 1000, i, i, high, 40), ok).degraded;
    expect(d).toBe(false);
    // the repeated reading counted once: RTT_DEGRADED_SAMPLES - 1 new high readings complete the run
    const got: boolean[] = [];
    for (let k = 1; k < RTT_DEGRADED_SAMPLES; k++)
      got.push(t.update(sample(100_000 + k * 1000, k, k, high, 40 + k), ok).degraded);
    expect(got).toEqual([...Array(RTT_DEGRADED_SAMPLES - 2).fill(false), true]);
  });

  it(`is degraded when nothing comes back for ${STALL_DEGRADED_SAMPLES} samples while data is in flight`, () => {
    const t = new HealthTracker();
    t.update(sample(0, 0, 500), ok);
    const got: boolean[] = [];
    for (let i = 1; i <= STALL_DEGRADED_SAMPLES; i++)
      got.push(t.update(sample(i * 1000, i * 1000, 500), ok).degraded); // sending, nothing back
    expect(got.at(-1)).toBe(true);
    expect(got.slice(0, -1).every((d) => !d)).toBe(true);
  });

  it('is not degraded when idle (nothing sent, nothing queued, nothing received)', () => {
    const t = new HealthTracker();
    for (let i = 0; i < 10; i++) expect(t.update(sample(i * 1000, 7, 9), ok).degraded).toBe(false);
  });

  it('counts queued data (bufferedAmount) as in flight even when no byte leaves', () => {
    const t = new HealthTracker();
    let d = false;
    for (let i = 0; i <= STALL_DEGRADED_SAMPLES; i++)
      d = t.update(sample(i * 1000, 7, 9), { iceState: 'connected', queued: true }).degraded;
    expect(d).toBe(true);
  });

  it('is degraded at once when ICE reports disconnected or failed', () => {
    const t = new HealthTracker();
    expect(t.update(sample(0, 0, 0), { iceState: 'disconnected', queued: false }).degraded).toBe(
      true,
    );
    expect(t.update(sample(1000, 0, 0), { iceState: 'failed', queued: false }).degraded).toBe(true);
    expect(t.update(sample(2000, 0, 0), { iceState: 'checking', queued: false }).degraded).toBe(
      false,
    );
  });
});
