/**
 * Ports the peer layer offers upward: the transfer layer sends through a DataLink and reads its
 * LinkHealth; peer/ adapts an RTCDataChannel to it (defined here so peer/ never imports transfer/).
 */

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
