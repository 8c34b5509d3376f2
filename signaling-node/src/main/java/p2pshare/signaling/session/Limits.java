package p2pshare.signaling.session;

/** Every limit of a signaling node in one place (PROTOCOL.md names the observable ones). */
public final class Limits {
  private Limits() {}

  /** Text frames above this are refused with too-large and close 1009. */
  public static final int MAX_FRAME_BYTES = 64 * 1024;

  /**
   * What the WebSocket decoder itself accepts: above MAX_FRAME_BYTES so that a too-large frame
   * still gets a readable error before the close; anything bigger is cut by Netty with 1009.
   */
  public static final int DECODER_MAX_BYTES = 2 * MAX_FRAME_BYTES;

  /** Sustained messages per second per socket before rate-limited. */
  public static final double RATE_PER_SECOND = 100;

  /** Burst a socket may send at once before rate-limited. */
  public static final double RATE_BURST = 1_000;

  /** At most one rate-limited error per socket per this interval, so a flood is not echoed. */
  public static final long RATE_LIMIT_ERROR_INTERVAL_NANOS = 1_000_000_000L;

  /**
   * A socket over its rate stops being read (TCP back-pressure) until its bucket holds this many
   * tokens again: the flood waits in the kernel's buffers instead of being read and decoded.
   */
  public static final double RATE_RESUME_TOKENS = 10;

  /** A socket whose unsent output passes this is a slow consumer and is closed. */
  public static final int WRITE_QUEUE_MAX_BYTES = 1024 * 1024;

  /** Ping frames go out this many times per idle timeout, so live clients never hit it. */
  public static final int PINGS_PER_IDLE_TIMEOUT = 3;

  /** How long SIGTERM waits for clients to move away before closing what is left. */
  public static final long DRAIN_GRACE_MS = 4_000;
}
