/** PROTOCOL.md v1 messages as a discriminated union, validated on receipt. */

export interface PeerInfo {
  id: string;
  meta?: unknown;
}

export type ServerMessage =
  | {
      type: 'welcome';
      v: number;
      peerId: string;
      room: string;
      node: string;
      peers: PeerInfo[];
      resume: string;
      recovered: boolean;
      iceServers: RTCIceServer[];
    }
  | { type: 'peer-joined'; peer: PeerInfo; seq?: number }
  | { type: 'peer-left'; peerId: string; seq?: number }
  | { type: 'signal'; from: string; data: unknown; seq?: number }
  | { type: 'broadcast'; from: string; data: unknown; seq?: number }
  | { type: 'pong'; t: number }
  | { type: 'reconnect'; reason: string }
  | { type: 'error'; code: string; message: string; ref?: unknown };

export type ClientMessage =
  | { type: 'join'; v: 1; room: string; meta?: unknown; resume?: string; lastSeq?: number }
  | { type: 'signal'; to: string; data: unknown }
  | { type: 'broadcast'; data: unknown }
  | { type: 'leave' }
  | { type: 'ping'; t: number };

export const ROOM_ID = /^[A-Za-z0-9_-]{16,64}$/;

const str = (x: unknown): x is string => typeof x === 'string';
const seqOk = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isInteger(x));

function peerInfo(x: unknown): PeerInfo | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  return str(o.id) ? { id: o.id, meta: o.meta } : null;
}

function iceServers(x: unknown): RTCIceServer[] {
  if (!Array.isArray(x)) return [];
  return x.filter(
    (s): s is RTCIceServer =>
      typeof s === 'object' &&
      s !== null &&
      (str((s as RTCIceServer).urls) || Array.isArray((s as RTCIceServer).urls)),
  );
}

/** Parses one text frame; null for anything that is not a valid v1 server message. */
export function parseServerMessage(text: string): ServerMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (!seqOk(o.seq)) return null;
  const seq = o.seq as number | undefined;
  switch (o.type) {
    case 'welcome': {
      if (!str(o.peerId) || !str(o.room) || !str(o.resume) || !Array.isArray(o.peers)) return null;
      const peers = o.peers.map(peerInfo);
      if (peers.some((p) => p === null)) return null;
      return {
        type: 'welcome',
        v: typeof o.v === 'number' ? o.v : 1,
        peerId: o.peerId,
        room: o.room,
        node: str(o.node) ? o.node : '',
        peers: peers as PeerInfo[],
        resume: o.resume,
        recovered: o.recovered === true,
        iceServers: iceServers(o.iceServers),
      };
    }
    case 'peer-joined': {
      const peer = peerInfo(o.peer);
      return peer ? { type: 'peer-joined', peer, seq } : null;
    }
    case 'peer-left':
      return str(o.peerId) ? { type: 'peer-left', peerId: o.peerId, seq } : null;
    case 'signal':
    case 'broadcast':
      return str(o.from) ? { type: o.type, from: o.from, data: o.data, seq } : null;
    case 'pong':
      return typeof o.t === 'number' ? { type: 'pong', t: o.t } : null;
    case 'reconnect':
      return { type: 'reconnect', reason: str(o.reason) ? o.reason : '' };
    case 'error':
      return str(o.code)
        ? { type: 'error', code: o.code, message: str(o.message) ? o.message : '', ref: o.ref }
        : null;
    default:
      return null;
  }
}

export interface RoomPlacement {
  room: string;
  node: { id: string; url: string };
  epoch: number;
}

export function parsePlacement(x: unknown): RoomPlacement | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const n = o.node as Record<string, unknown> | undefined;
  if (!str(o.room) || typeof n !== 'object' || n === null || !str(n.id) || !str(n.url)) return null;
  return {
    room: o.room,
    node: { id: n.id, url: n.url },
    epoch: typeof o.epoch === 'number' ? o.epoch : 0,
  };
}
