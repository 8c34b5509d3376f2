/**
 * What the signaling client needs from its page (a socket, the balancer's room lookup, the
 * problem reports) and what it tells it (its events and status).
 */
import type { PeerInfo, RoomPlacement, ServerMessage } from './messages';
import type { SignalingProblem } from './problems';

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SignalingDeps {
  /** GET /api/rooms/{id} on the balancer */
  locate(room: string): Promise<RoomPlacement>;
  openSocket(url: string): SocketLike;
  /** debug/test hook (?node=<wsUrl>): the first connection goes there instead */
  overrideUrl?: string | null;
  pingIntervalMs?: number;
  maxBackoffMs?: number;
  /** Turns failures into messages for the user (problems.ts); without it none are reported. */
  problems?: {
    /** a socket to `url` closed (or could not be made) before it opened */
    socket(url: string): Promise<SignalingProblem>;
    /** asking the balancer where the room lives failed */
    balancer(e: unknown): SignalingProblem;
  };
}

export interface SignalingEvents {
  welcome(w: Extract<ServerMessage, { type: 'welcome' }>): void;
  peerJoined(p: PeerInfo): void;
  peerLeft(id: string): void;
  signal(from: string, data: unknown): void;
  broadcast(from: string, data: unknown): void;
  error(code: string, message: string): void;
  status(s: SignalingStatus): void;
  /**
   * A resume came back `recovered:false` (after the welcome's own events): the peer kept its
   * id, but signals and broadcasts sent to it meanwhile may be lost. Not on a fresh join, whose
   * `recovered:false` only says no session was restored.
   */
  lost(): void;
  /** something keeps us from the room (null: it is over, we joined) */
  problem(p: SignalingProblem | null): void;
}

export type SignalingStatus = 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** The page's own WebSocket (never in a worker: tests observe its frames). */
export function browserSocket(url: string): SocketLike {
  return new WebSocket(url) as unknown as SocketLike;
}
