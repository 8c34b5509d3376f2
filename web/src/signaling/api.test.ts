import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  BALANCER_RETRY_BUDGET_MS,
  BALANCER_RETRY_DELAYS_MS,
  createRoom,
  type RetryClock,
} from './api';

/** A clock whose sleeps only move its own time forward, recording each pause. */
function fakeClock(): RetryClock & { pauses: number[] } {
  let t = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: (ms) => {
      pauses.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

const placed = { room: 'abcdefghij', node: { id: 'n1', url: 'ws://127.0.0.1:1/ws' }, epoch: 1 };

function answers(...statuses: (number | 'offline')[]) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    const s = statuses[Math.min(calls.length - 1, statuses.length - 1)];
    if (s === 'offline') return Promise.reject(new TypeError('Failed to fetch'));
    const body = s === 200 ? placed : { error: s === 503 ? 'no-live-node' : 'rate-limited' };
    return Promise.resolve(new Response(JSON.stringify(body), { status: s }));
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('createRoom', () => {
  it('asks again after 503 and after no answer, with growing pauses, and returns the placement', async () => {
    const calls = answers(503, 'offline', 503, 200);
    const clock = fakeClock();
    const p = await createRoom('', clock);
    expect(p.room).toBe(placed.room);
    expect(calls).toEqual(Array(4).fill('POST /api/rooms'));
    expect(clock.pauses).toEqual([500, 1000, 2000]);
  });

  it('does not ask again after 429 (asking sooner keeps the limit on)', async () => {
    const calls = answers(429, 200);
    const clock = fakeClock();
    await expect(createRoom('', clock)).rejects.toMatchObject({ status: 429 });
    expect(calls).toHaveLength(1);
    expect(clock.pauses).toEqual([]);
  });

  it('gives up within its budget and reports the last 503', async () => {
    const calls = answers(503);
    const clock = fakeClock();
    const err = await createRoom('', clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    const waited = clock.pauses.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(BALANCER_RETRY_BUDGET_MS);
    // the budget is used, not abandoned early: one more of the longest pause would pass it
    const longest = BALANCER_RETRY_DELAYS_MS[BALANCER_RETRY_DELAYS_MS.length - 1];
    expect(waited + longest).toBeGreaterThan(BALANCER_RETRY_BUDGET_MS);
    expect(calls).toHaveLength(clock.pauses.length + 1);
  });
});
