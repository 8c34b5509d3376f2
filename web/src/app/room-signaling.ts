/** The signaling client of a session page: the balancer locates the room, the browser's socket. */
import { locateRoom } from '../signaling/api';
import { SignalingClient } from '../signaling/client';
import { browserSocket } from '../signaling/ports';
import { browserProblems } from '../signaling/problems';

/** A client for `room` with this page's role ('s' sender, 'r' receiver). */
export function roomSignaling(
  room: string,
  role: 's' | 'r',
  overrideUrl: string | null | undefined,
): SignalingClient {
  return new SignalingClient(
    room,
    { role },
    {
      locate: (r) => locateRoom(r),
      openSocket: browserSocket,
      problems: browserProblems(location),
      overrideUrl: overrideUrl ?? null,
    },
  );
}
