/** What the transfer layer needs from a data channel (the peer layer adapts RTCDataChannel). */
export interface DataLink {
  send(data: string | ArrayBuffer): void;
  readonly bufferedAmount: number;
  /** resolves once bufferedAmount fell to the low-water mark (or the link closed) */
  drained(): Promise<void>;
  readonly open: boolean;
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
}

export function newStats(): TransferStats {
  return {
    bytesReceived: 0,
    bytesVerified: 0,
    bytesSent: 0,
    piecesVerified: 0,
    piecesFailed: 0,
    corruptNextBlocks: 0,
  };
}
