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

export async function createRoom(base = ''): Promise<RoomPlacement> {
  return placement(await fetch(`${base}/api/rooms`, { method: 'POST' }));
}

export async function locateRoom(room: string, base = ''): Promise<RoomPlacement> {
  return placement(await fetch(`${base}/api/rooms/${encodeURIComponent(room)}`));
}
