/** The balancer's HTTP API (same origin as the page). */
import { parsePlacement, type RoomPlacement } from './messages';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function placement(res: Response): Promise<RoomPlacement> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; message?: string };
    throw new ApiError(res.status, b.error ?? 'http-' + res.status, b.message ?? res.statusText);
  }
  const p = parsePlacement(body);
  if (!p) throw new ApiError(res.status, 'bad-answer', 'the balancer sent an unexpected answer');
  return p;
}

/**
 * A balancer answer that may be different a moment later: 503 (no live node — the cluster is
 * starting, draining, or slow to answer within the balancer's bound) or no answer at all. 429 is
 * not transient in this sense: asking again sooner only keeps the limit on.
 */
export function isTransient(e: unknown): boolean {
  return e instanceof ApiError ? e.status === 503 : e instanceof TypeError;
}

/** Pauses between attempts at a transient failure, then the last pause repeats. */
export const BALANCER_RETRY_DELAYS_MS = [500, 1000, 2000, 4000] as const;
/** After this long, a request that kept failing transiently reports its last failure. */
export const BALANCER_RETRY_BUDGET_MS = 30_000;

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** Runs `attempt` again after a transient failure, within BALANCER_RETRY_BUDGET_MS. */
export async function withBalancerRetry<T>(
  attempt: () => Promise<T>,
  clock: RetryClock = realClock,
): Promise<T> {
  const deadline = clock.now() + BALANCER_RETRY_BUDGET_MS;
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      const pause = BALANCER_RETRY_DELAYS_MS[Math.min(i, BALANCER_RETRY_DELAYS_MS.length - 1)];
      if (!isTransient(e) || clock.now() + pause > deadline) throw e;
      await clock.sleep(pause);
    }
  }
}

/** Places a new room (POST /api/rooms); after a 503 the page holds no room, so asking again is safe. */
export async function createRoom(base = '', clock?: RetryClock): Promise<RoomPlacement> {
  return withBalancerRetry(
    async () => placement(await fetch(`${base}/api/rooms`, { method: 'POST' })),
    clock,
  );
}

/** Where room `room` lives (GET /api/rooms/{id}); one attempt: the signaling client retries. */
export async function locateRoom(room: string, base = ''): Promise<RoomPlacement> {
  return placement(await fetch(`${base}/api/rooms/${encodeURIComponent(room)}`));
}
