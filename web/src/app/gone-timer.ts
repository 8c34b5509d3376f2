/**
 * The receiver's "sender is gone" timer: armed when no link to a sender is open, it fires once
 * the sender has stayed away for the whole delay (a sender that reconnects in between disarms it).
 */
export class GoneTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly delayMs: number,
    /** whether a sender is linked right now */
    private readonly senderLinked: () => boolean,
    private readonly onGone: () => void,
  ) {}

  arm(): void {
    if (this.timer || this.senderLinked()) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.senderLinked()) this.onGone();
    }, this.delayMs);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
