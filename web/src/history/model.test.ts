import { describe, expect, it } from 'vitest';
import type { Outcome } from '../analytics/report';
import {
  evictForSpace,
  expired,
  type HistoryEntry,
  type TransferProbe,
  TransferTracker,
} from './model';

function fakeProbe() {
  const s = {
    room: 'room1234567890abcdef' as string | null,
    files: [{ name: 'a.bin', size: 3_000_000 }] as { name: string; size: number }[] | null,
    moved: 0,
    progress: 0,
    peers: 1,
    outcome: 'active' as Outcome | 'active',
    errors: 0,
  };
  const probe: TransferProbe = {
    direction: 'receive',
    room: () => s.room,
    files: () => s.files,
    moved: () => s.moved,
    progress: () => s.progress,
    peers: () => s.peers,
    outcome: () => s.outcome,
    errors: () => s.errors,
    error: () => undefined,
    connection: async () => 'direct',
  };
  return { s, probe };
}

function entry(p: Partial<HistoryEntry>): HistoryEntry {
  return {
    id: 'receive:x',
    room: 'x',
    direction: 'receive',
    files: [],
    totalSize: 0,
    bytes: 0,
    started: 0,
    updated: 0,
    status: 'completed',
    peers: 1,
    durationMs: 0,
    avgBps: 0,
    peakBps: 0,
    connection: 'unknown',
    errors: 0,
    ...p,
  };
}

describe('TransferTracker', () => {
  it('records nothing until there is a transfer, then speed, peak, status, final once', () => {
    const { s, probe } = fakeProbe();
    let t = 1000;
    const tr = new TransferTracker(probe, () => t);
    s.files = null;
    expect(tr.sample().entry).toBeNull();
    s.files = [{ name: 'a.bin', size: 3_000_000 }];
    let r = tr.sample('direct');
    expect(r.entry?.status).toBe('partial');
    expect(r.entry?.id).toBe('receive:room1234567890abcdef');
    expect(r.final).toBe(false);
    t += 1000;
    s.moved = s.progress = 1_000_000;
    tr.sample();
    t += 1000;
    s.moved = s.progress = 3_000_000; // 2 MB in the second second
    s.outcome = 'completed';
    r = tr.sample();
    expect(r.final).toBe(true);
    expect(r.entry).toMatchObject({
      status: 'completed',
      bytes: 3_000_000,
      totalSize: 3_000_000,
      connection: 'direct',
      durationMs: 2000,
    });
    expect(r.entry!.avgBps).toBeCloseTo(1_500_000);
    expect(r.entry!.peakBps).toBeCloseTo(2_000_000);
    expect(r.entry!.peakBps).toBeGreaterThanOrEqual(r.entry!.avgBps);
    expect(r.entry!.link).toBeUndefined();
    t += 1000;
    expect(tr.sample().final).toBe(false);
  });

  it('a resumed transfer keeps its start, pin and adds durations', () => {
    const { s, probe } = fakeProbe();
    let t = 50_000;
    const prev = entry({
      id: 'receive:room1234567890abcdef',
      started: 10,
      durationMs: 4000,
      status: 'partial',
      link: 'http://x/r/room#key',
      bytes: 1_000_000,
    });
    const tr = new TransferTracker(probe, () => t, prev);
    s.moved = 0;
    s.progress = 1_000_000;
    tr.sample();
    t += 2000;
    s.moved = 2_000_000;
    s.progress = 3_000_000;
    tr.sample();
    t += 1000;
    s.outcome = 'completed';
    const r = tr.sample();
    expect(r.entry).toMatchObject({ started: 10, link: 'http://x/r/room#key', bytes: 3_000_000 });
    expect(r.entry!.durationMs).toBe(6000);
  });
});

describe('cleanup rules', () => {
  it('expires by age', () => {
    const es = [entry({ id: 'a', updated: 0 }), entry({ id: 'b', updated: 9000 })];
    expect(expired(es, 10_000, 5000).map((e) => e.id)).toEqual(['a']);
  });

  it('evicts the oldest received data, unpinned first, only when space runs low', () => {
    const es = [
      entry({ id: 'pinned-old', updated: 1, bytes: 500, link: 'l' }),
      entry({ id: 'old', updated: 2, bytes: 40 }),
      entry({ id: 'new', updated: 3, bytes: 40 }),
      entry({ id: 'sent', updated: 0, bytes: 999, direction: 'send' }),
    ];
    expect(evictForSpace(es, 100, 1000)).toEqual([]);
    expect(evictForSpace(es, 950, 1000).map((e) => e.id)).toEqual(['old', 'new']);
    expect(evictForSpace(es, 990, 1000).map((e) => e.id)).toEqual(['old', 'new', 'pinned-old']);
    expect(evictForSpace(es, 950, 1000, 0.1, (e) => e.id === 'old').map((e) => e.id)).toEqual([
      'new',
      'pinned-old',
    ]);
  });
});
