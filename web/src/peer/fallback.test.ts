import { describe, expect, it } from 'vitest';
import type { LinkHealth } from './link';
import {
  FALLBACK_DEGRADED_SAMPLES,
  FALLBACK_MIN_INTERVAL_MS,
  hasTurn,
  RelayFallback,
  withoutTurn,
} from './fallback';

const h = (degraded: boolean, path: LinkHealth['path'] = 'direct'): LinkHealth => ({
  rttMs: 5,
  sendBytesPerSec: 0,
  recvBytesPerSec: 0,
  path,
  degraded,
});

/** Feeds `n` samples one second apart from `t0`; returns the actions and the next time. */
function feed(f: RelayFallback, n: number, health: LinkHealth, t0: number) {
  const actions = [];
  for (let i = 0; i < n; i++) actions.push(f.decide(health, t0 + i * 1000));
  return { actions, next: t0 + n * 1000 };
}

describe('hasTurn', () => {
  it('finds turn: and turns: URLs, not stun:', () => {
    expect(hasTurn([{ urls: 'stun:stun.example:3478' }])).toBe(false);
    expect(hasTurn([{ urls: ['stun:a', 'turn:127.0.0.1:3478?transport=udp'] }])).toBe(true);
    expect(hasTurn([{ urls: 'TURNS:relay.example:443' }])).toBe(true);
    expect(hasTurn([])).toBe(false);
  });
});

describe('withoutTurn', () => {
  it('keeps STUN, drops TURN URLs and servers left with none', () => {
    const turn = { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' };
    const mixed = { urls: ['stun:a:3478', 'turns:b:443'], username: 'u', credential: 'c' };
    expect(withoutTurn([turn, mixed])).toEqual([{ ...mixed, urls: ['stun:a:3478'] }]);
    expect(hasTurn(withoutTurn([turn, mixed]))).toBe(false);
  });
});

describe('RelayFallback', () => {
  it(`switches to relay after ${FALLBACK_DEGRADED_SAMPLES} degraded samples`, () => {
    const f = new RelayFallback(true);
    const { actions } = feed(f, FALLBACK_DEGRADED_SAMPLES, h(true), 0);
    expect(actions).toEqual([...Array(FALLBACK_DEGRADED_SAMPLES - 1).fill(null), 'relay']);
    expect(f.onRelay).toBe(true);
  });

  it('needs consecutive degraded samples', () => {
    const f = new RelayFallback(true);
    let t = 0;
    for (let i = 0; i < 5; i++) {
      t = feed(f, FALLBACK_DEGRADED_SAMPLES - 1, h(true), t).next;
      expect(f.decide(h(false), t)).toBeNull();
      t += 1000;
    }
    expect(f.onRelay).toBe(false);
  });

  it('never switches without TURN servers, or when pinned to relay by the test hook', () => {
    for (const f of [new RelayFallback(false), new RelayFallback(true, true)])
      expect(feed(f, 100, h(true), 0).actions.every((a) => a === null)).toBe(true);
  });

  it('does not switch a path that is already relayed', () => {
    const f = new RelayFallback(true);
    expect(feed(f, 20, h(true, 'relay'), 0).actions.every((a) => a === null)).toBe(true);
  });

  it(`at most once per ${FALLBACK_MIN_INTERVAL_MS} ms, back to all candidates if relay stays degraded`, () => {
    const f = new RelayFallback(true);
    const n = FALLBACK_MIN_INTERVAL_MS / 1000 + FALLBACK_DEGRADED_SAMPLES + 5;
    const { actions } = feed(f, n, h(true), 0);
    const switches = actions.map((a, i) => ({ a, t: i * 1000 })).filter((x) => x.a !== null);
    expect(switches.map((x) => x.a)).toEqual(['relay', 'all']);
    expect(switches[1]!.t - switches[0]!.t).toBeGreaterThanOrEqual(FALLBACK_MIN_INTERVAL_MS);
  });

  it('stays on relay while the relayed path is healthy', () => {
    const f = new RelayFallback(true);
    const t = feed(f, FALLBACK_DEGRADED_SAMPLES, h(true), 0).next;
    expect(f.onRelay).toBe(true);
    expect(feed(f, 200, h(false, 'relay'), t).actions.every((a) => a === null)).toBe(true);
    expect(f.onRelay).toBe(true);
  });

  it("follows the remote's policy (mirror), unless pinned or without TURN; a mirror counts as a switch", () => {
    const f = new RelayFallback(true);
    expect(f.mirror('all', 0)).toBe(false); // already on all
    expect(f.mirror('relay', 0)).toBe(true);
    expect(f.onRelay).toBe(true);
    expect(f.mirror('relay', 1)).toBe(false);
    // degraded on the relay right after: no switch back before the interval
    expect(feed(f, FALLBACK_DEGRADED_SAMPLES, h(true, 'relay'), 1000).actions).not.toContain('all');
    expect(f.mirror('all', 2000)).toBe(true);
    expect(f.onRelay).toBe(false);
    expect(new RelayFallback(false).mirror('relay', 0)).toBe(false);
    const pinned = new RelayFallback(true, true);
    expect(pinned.mirror('all', 0)).toBe(false);
    expect(pinned.onRelay).toBe(true);
  });
});
