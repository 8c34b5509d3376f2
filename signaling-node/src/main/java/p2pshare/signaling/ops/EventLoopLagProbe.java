package p2pshare.signaling.ops;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;

/** Measures how late a periodic timer fires on this event loop; keeps the worst since last read. */
public final class EventLoopLagProbe {
  public static final long INTERVAL_MS = 100;

  private final Vertx vertx;
  private final AtomicLong worstNanos;

  public EventLoopLagProbe(Vertx vertx, AtomicLong worstNanos) {
    this.vertx = vertx;
    this.worstNanos = worstNanos;
  }

  public void start() {
    schedule(System.nanoTime());
  }

  private void schedule(long scheduledAt) {
    vertx.setTimer(
        INTERVAL_MS,
        t -> {
          long now = System.nanoTime();
          long lag = Math.max(0, now - scheduledAt - INTERVAL_MS * 1_000_000);
          worstNanos.accumulateAndGet(lag, Math::max);
          schedule(now);
        });
  }
}
