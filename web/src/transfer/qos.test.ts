import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BURST_SECONDS,
  burstFor,
  MIN_BURST_BYTES,
  PRIORITY_WEIGHT,
  type TransferKey,
  UploadScheduler,
} from './qos';

const KiB = 1024;
const MiB = 1024 * KiB;
const BLOCK = 128 * KiB;

/** A seeder-like sender: asks for one block at a time, as soon as the previous one was granted. */
interface Sender {
  key: TransferKey;
  /** [time ms, bytes] of every grant */
  grants: [number, number][];
  stop(): void;
}

function backlogged(s: UploadScheduler, key: TransferKey, block = BLOCK): Sender {
  let stopped = false;
  const grants: [number, number][] = [];
  void (async () => {
    while (!stopped) {
      await s.grant(key, block);
      if (stopped) return;
      grants.push([Date.now(), block]);
    }
  })();
  return { key, grants, stop: () => (stopped = true) };
}

const sum = (g: [number, number][], from = -Infinity, to = Infinity) =>
  g.filter(([t]) => t >= from && t <= to).reduce((a, [, b]) => a + b, 0);

let s: UploadScheduler;

beforeEach(() => {
  vi.useFakeTimers();
  s = new UploadScheduler(() => Date.now());
});

afterEach(() => {
  vi.useRealTimers();
});

describe('burst', () => {
  it('is 250 ms of the cap, at least one largest block', () => {
    expect(burstFor(0)).toBe(0);
    expect(burstFor(100 * KiB)).toBe(MIN_BURST_BYTES);
    expect(burstFor(8 * MiB)).toBe(8 * MiB * BURST_SECONDS);
  });
});

describe('UploadScheduler cap (token bucket)', () => {
  it('keeps every interval within cap·Δ + burst and uses the whole cap', async () => {
    const cap = 2 * MiB;
    s.setCap(cap);
    const t0 = Date.now();
    const a = backlogged(s, 0);
    const b = backlogged(s, 1);
    await vi.advanceTimersByTimeAsync(10_000);
    const all = [...a.grants, ...b.grants].sort((x, y) => x[0] - y[0]);
    // every window [t_i, t_j] between two grants
    for (let i = 0; i < all.length; i += 7)
      for (let j = i; j < all.length; j += 5) {
        const dt = (all[j]![0] - all[i]![0]) / 1000;
        expect(sum(all, all[i]![0], all[j]![0])).toBeLessThanOrEqual(cap * dt + s.burstBytes);
      }
    const total = sum(all);
    expect(total).toBeLessThanOrEqual(cap * 10 + s.burstBytes);
    expect(total).toBeGreaterThanOrEqual(cap * 10 - BLOCK); // work-conserving
    expect(Date.now() - t0).toBe(10_000);
  });

  it('after an idle spell at most one bucket goes at once', async () => {
    const cap = 2 * MiB;
    s.setCap(cap);
    await s.grant(0, BLOCK);
    await vi.advanceTimersByTimeAsync(10_000); // idle: the bucket fills, but only up to its burst
    const t1 = Date.now();
    const a = backlogged(s, 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(sum(a.grants, t1, t1)).toBe(Math.floor(s.burstBytes / BLOCK) * BLOCK);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sum(a.grants)).toBeLessThanOrEqual(s.burstBytes + cap);
  });

  it('no cap (or 0) grants at once, without any timer', async () => {
    let done = 0;
    for (let i = 0; i < 100; i++) void s.grant(0, BLOCK).then(() => done++);
    await Promise.resolve();
    expect(done).toBe(100);
    s.setCap(0);
    await s.grant(0, 64 * MiB);
    expect(vi.getTimerCount()).toBe(0);
    expect(s.granted(0)).toBe(100 * BLOCK + 64 * MiB);
  });

  it('removing the cap releases the waiting grants', async () => {
    s.setCap(MIN_BURST_BYTES); // one bucket = 1 s
    let done = 0;
    for (let i = 0; i < 10; i++) void s.grant(0, BLOCK).then(() => done++);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(2); // the full bucket
    s.setCap(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(10);
  });

  it('a grant bigger than the bucket waits for a full bucket and keeps the long-run rate', async () => {
    const cap = 512 * KiB; // burst = MIN_BURST_BYTES = 256 KiB < 1 MiB grants
    s.setCap(cap);
    const a = backlogged(s, 0, MiB);
    await vi.advanceTimersByTimeAsync(20_000);
    a.stop();
    const total = sum(a.grants);
    expect(total).toBeLessThanOrEqual(cap * 20 + MiB);
    expect(total).toBeGreaterThanOrEqual(cap * 20 - MiB);
  });

  it('a cap change applies at once', async () => {
    s.setCap(4 * MiB);
    const a = backlogged(s, 0);
    await vi.advanceTimersByTimeAsync(5_000);
    const t1 = Date.now();
    s.setCap(1 * MiB);
    await vi.advanceTimersByTimeAsync(5_000);
    a.stop();
    const before = sum(a.grants, -Infinity, t1);
    const after = sum(a.grants, t1 + 1);
    expect(before).toBeGreaterThan(4 * MiB * 5 - 2 * BLOCK);
    expect(after).toBeLessThanOrEqual(1 * MiB * 5 + burstFor(1 * MiB));
    expect(after).toBeGreaterThanOrEqual(1 * MiB * 5 - 2 * BLOCK);
  });
});

describe('UploadScheduler priorities (weighted sharing)', () => {
  const cap = 2 * MiB;

  it('high gets about 4× low when both are backlogged', async () => {
    s.setCap(cap);
    s.setPriority(0, 'high');
    s.setPriority(1, 'low');
    const hi = backlogged(s, 0);
    const lo = backlogged(s, 1);
    await vi.advanceTimersByTimeAsync(10_000);
    const ratio = sum(hi.grants) / sum(lo.grants);
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(4.5);
    expect(sum(hi.grants) + sum(lo.grants)).toBeGreaterThanOrEqual(cap * 10 - BLOCK);
  });

  it('shares follow the weights for three transfers', async () => {
    s.setCap(cap);
    s.setPriority(0, 'high');
    s.setPriority(1, 'normal');
    s.setPriority(2, 'low');
    const senders = [0, 1, 2].map((k) => backlogged(s, k));
    await vi.advanceTimersByTimeAsync(20_000);
    const total = senders.reduce((a, x) => a + sum(x.grants), 0);
    const weights = PRIORITY_WEIGHT.high + PRIORITY_WEIGHT.normal + PRIORITY_WEIGHT.low;
    const expected = [PRIORITY_WEIGHT.high, PRIORITY_WEIGHT.normal, PRIORITY_WEIGHT.low];
    senders.forEach((x, i) => expect(sum(x.grants) / total).toBeCloseTo(expected[i]! / weights, 1));
  });

  it('a lone low transfer gets the full rate (work-conserving)', async () => {
    s.setCap(cap);
    s.setPriority(7, 'low');
    const lo = backlogged(s, 7);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sum(lo.grants)).toBeGreaterThanOrEqual(cap * 10 - BLOCK);
    expect(sum(lo.grants)).toBeLessThanOrEqual(cap * 10 + s.burstBytes);
  });

  it('a priority change applies at once', async () => {
    s.setCap(cap);
    s.setPriority(0, 'high');
    s.setPriority(1, 'low');
    const a = backlogged(s, 0);
    const b = backlogged(s, 1);
    await vi.advanceTimersByTimeAsync(5_000);
    const t1 = Date.now();
    s.setPriority(0, 'low');
    s.setPriority(1, 'high');
    expect(s.priority(1)).toBe('high');
    await vi.advanceTimersByTimeAsync(5_000);
    const ratioBefore = sum(a.grants, -Infinity, t1) / sum(b.grants, -Infinity, t1);
    const ratioAfter = sum(b.grants, t1 + 1) / sum(a.grants, t1 + 1);
    expect(ratioBefore).toBeGreaterThan(3);
    expect(ratioAfter).toBeGreaterThan(3);
  });

  it('never starves a low transfer next to two high ones', async () => {
    s.setCap(cap);
    s.setPriority(0, 'high');
    s.setPriority(1, 'high');
    s.setPriority(2, 'low');
    backlogged(s, 0);
    backlogged(s, 1);
    const lo = backlogged(s, 2);
    await vi.advanceTimersByTimeAsync(10_000);
    const share = PRIORITY_WEIGHT.low / (2 * PRIORITY_WEIGHT.high + PRIORITY_WEIGHT.low);
    expect(sum(lo.grants)).toBeGreaterThanOrEqual(share * cap * 10 - 2 * BLOCK);
    // its longest wait between two grants stays bounded (one round of the weights, plus slack)
    const gaps = lo.grants.slice(1).map(([t], i) => t - lo.grants[i]![0]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(((BLOCK / share) * 1000) / cap + 100);
  });

  it('a transfer that was idle does not hoard credit', async () => {
    s.setCap(cap);
    await s.grant(1, BLOCK); // b sends once, then stays idle
    const a = backlogged(s, 0);
    await vi.advanceTimersByTimeAsync(10_000);
    const t1 = Date.now();
    const b = backlogged(s, 1);
    await vi.advanceTimersByTimeAsync(4_000);
    const ga = sum(a.grants, t1 + 1);
    const gb = sum(b.grants, t1 + 1);
    // same priority: about half each; b starts at most one bucket behind a's pass (a is one
    // block past its last start), and ties may go either way: one bucket + 2 blocks of lead
    expect(gb - ga).toBeLessThanOrEqual(s.burstBytes + 2 * BLOCK);
    expect(ga).toBeGreaterThan(0.4 * cap * 4);
  });
});
