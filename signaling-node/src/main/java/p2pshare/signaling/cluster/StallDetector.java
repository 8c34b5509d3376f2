package p2pshare.signaling.cluster;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the whole process stood still (SIGSTOP, a long GC pause, a suspended VM) for longer
 * than the cluster waits for a heartbeat: the other members have then declared this node dead and
 * taken its peers over, so it must not go on acting as their owner. A daemon thread that sleeps a
 * little and measures the monotonic clock; an event loop that is merely busy does not trip it
 * (Hazelcast's heartbeats do not run on event loops).
 */
public final class StallDetector {
  private static final Logger LOG = LoggerFactory.getLogger(StallDetector.class);

  /** How often the detector wakes up. */
  public static final long TICK_MS = 200;

  private final long thresholdMs;
  private final LongConsumer onStall;
  private volatile boolean running = true;

  /** {@code onStall} gets the stall's length in ms; it runs on the detector's thread. */
  public StallDetector(long thresholdMs, LongConsumer onStall) {
    this.thresholdMs = thresholdMs;
    this.onStall = onStall;
  }

  public void start() {
    Thread thread = new Thread(this::run, "p2p-stall-detector");
    thread.setDaemon(true);
    thread.start();
  }

  public void stop() {
    running = false;
  }

  private void run() {
    long last = System.nanoTime();
    while (running) {
      try {
        Thread.sleep(TICK_MS);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      long gapMs = TimeUnit.NANOSECONDS.toMillis(now - last) - TICK_MS;
      last = now;
      if (gapMs >= thresholdMs) {
        LOG.warn("process stalled stallMs={} thresholdMs={}", gapMs, thresholdMs);
        try {
          onStall.accept(gapMs);
        } catch (RuntimeException e) {
          LOG.warn("stall handling failed error={}", e.toString());
        }
      }
    }
  }
}
