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
