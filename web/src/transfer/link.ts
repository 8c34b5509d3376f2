/** What the transfer layer needs from a data channel (the peer layer adapts RTCDataChannel). */
export interface DataLink {
  send(data: string | ArrayBuffer): void;
  readonly bufferedAmount: number;
  /** resolves once bufferedAmount fell to the low-water mark (or the link closed) */
  drained(): Promise<void>;
  readonly open: boolean;
  /** negotiated max message size of the channel (bytes), when known */
  readonly maxMessageSize?: number;
  /** latest connection health from getStats (peer/health.ts), when the peer layer measures it */
  health?(): LinkHealth | null;
}

/** What the peer layer's getStats monitor reports; feeds the request pipeline and block size. */
export interface LinkHealth {
  /** round-trip time of the selected candidate pair, ms */
  rttMs: number | null;
  /** send rate derived from bytesSent deltas of the transport, bytes/s */
  sendBytesPerSec: number | null;
  /** receive rate derived from bytesReceived deltas of the transport, bytes/s */
  recvBytesPerSec: number | null;
  /** how the selected pair connects: host (direct), srflx/prflx (through NAT via STUN), relay (TURN) */
  path: 'direct' | 'stun' | 'relay' | null;
  /** true when the monitor judges the path bad (thresholds in peer/health.ts) */
  degraded: boolean;
}

/** Counters exposed to tests and the UI (window.__p2p.stats). */
export interface TransferStats {
  /** payload bytes of blocks received by this page since it loaded */
  bytesReceived: number;
  /** bytes in pieces verified by this page since it loaded */
  bytesVerified: number;
  /** plaintext bytes sent by this page since it loaded */
  bytesSent: number;
  piecesVerified: number;
  /** pieces that failed authentication or their SHA-256, and were requested again */
  piecesFailed: number;
  /** test-only: corrupt the payload of this many next received blocks (in flight) */
  corruptNextBlocks: number;
  /** test-only: corrupt what this page SENDS — every block of this many next pieces it serves */
  corruptSentPieces: number;
  /** what this page received from each seeder (peer id), since it loaded */
  fromPeers: Record<string, PeerCounters>;
}

export interface PeerCounters {
  /** payload bytes of blocks received from this seeder */
  bytes: number;
  /** verified pieces this seeder sent blocks of */
  pieces: number;
  /** pieces that failed authentication or their hash, blamed on this seeder */
  piecesFailed: number;
  /** request timeouts */
  timeouts: number;
  /** no longer asked (too many bad pieces) */
  excluded: boolean;
}

export function peerCounters(stats: TransferStats, id: string): PeerCounters {
  return (stats.fromPeers[id] ??= {
    bytes: 0,
    pieces: 0,
    piecesFailed: 0,
    timeouts: 0,
    excluded: false,
  });
}

export function newStats(): TransferStats {
  return {
    bytesReceived: 0,
    bytesVerified: 0,
    bytesSent: 0,
    piecesVerified: 0,
    piecesFailed: 0,
    corruptNextBlocks: 0,
    corruptSentPieces: 0,
    fromPeers: {},
  };
}
