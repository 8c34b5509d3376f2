/** The DataLink port (link.ts) over one RTCDataChannel of a PeerLink. */
import type { HealthMonitor } from './health';
import type { DataLink, LinkHealth } from './link';

export class ChannelLink implements DataLink {
  constructor(
    private readonly dc: RTCDataChannel,
    private readonly pc: RTCPeerConnection,
    private readonly monitor: HealthMonitor,
  ) {}
  get open(): boolean {
    return this.dc.readyState === 'open';
  }
  get bufferedAmount(): number {
    return this.dc.bufferedAmount;
  }
  /** SCTP's negotiated limit (Chromium: 262,144), known once the channel's transport is up */
  get maxMessageSize(): number | undefined {
    const m = this.pc.sctp?.maxMessageSize;
    return m && isFinite(m) ? m : undefined;
  }
  health(): LinkHealth | null {
    return this.monitor.latest;
  }
  send(data: string | ArrayBuffer): void {
    if (typeof data === 'string') this.dc.send(data);
    else this.dc.send(data);
  }
  drained(): Promise<void> {
    if (this.dc.bufferedAmount <= this.dc.bufferedAmountLowThreshold || !this.open)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.dc.removeEventListener('bufferedamountlow', done);
        this.dc.removeEventListener('close', done);
        resolve();
      };
      this.dc.addEventListener('bufferedamountlow', done);
      this.dc.addEventListener('close', done);
    });
  }
}
