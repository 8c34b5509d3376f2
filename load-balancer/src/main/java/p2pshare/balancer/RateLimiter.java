package p2pshare.balancer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: {@link #BURST} requests at once, then {@link
 * #REFILL_PER_SECOND} a second. Generous: it stops scripted floods, never a person.
 */
public final class RateLimiter {
  public static final int BURST = 200;
  public static final double REFILL_PER_SECOND = 20.0;

  /** Beyond this many tracked addresses the full (idle) buckets are dropped. */
  static final int MAX_TRACKED_KEYS = 100_000;

  private static final double NANOS_PER_SECOND = 1e9;

  private final int burst;
  private final double refillPerSecond;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter() {
    this(BURST, REFILL_PER_SECOND, System::nanoTime);
  }

  RateLimiter(int burst, double refillPerSecond, LongSupplier nanoClock) {
    this.burst = burst;
    this.refillPerSecond = refillPerSecond;
    this.nanoClock = nanoClock;
  }

  /** Takes one token for the key; false when its bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = nanoClock.getAsLong();
    if (buckets.size() > MAX_TRACKED_KEYS) {
      buckets.values().removeIf(b -> b.isFull(now));
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(burst, now)).take(now);
  }

  private final class Bucket {
    private double tokens;
    private long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    synchronized boolean take(long now) {
      refill(now);
      if (tokens < 1.0) {
        return false;
      }
      tokens -= 1.0;
      return true;
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - last) / NANOS_PER_SECOND * refillPerSecond);
      last = now;
    }
  }
}
