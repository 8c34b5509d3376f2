package p2pshare.balancer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import p2pshare.core.TokenBucket;

/**
 * A {@link TokenBucket} per client address: {@link #BURST} requests at once, then {@link
 * #REFILL_PER_SECOND} a second. Generous: it stops scripted floods, never a person.
 */
public final class RateLimiter {
  public static final int BURST = 200;
  public static final double REFILL_PER_SECOND = 20.0;

  /** Beyond this many tracked addresses the full (idle) buckets are dropped. */
  static final int MAX_TRACKED_KEYS = 100_000;

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
    return buckets.computeIfAbsent(key, k -> new Bucket(burst, refillPerSecond, now)).take(now);
  }

  /** One client's bucket; requests of one client may come on several event loops. */
  private static final class Bucket {
    private final TokenBucket bucket;

    Bucket(int burst, double refillPerSecond, long now) {
      this.bucket = new TokenBucket(refillPerSecond, burst, now);
    }

    synchronized boolean take(long now) {
      return bucket.tryTake(now);
    }

    synchronized boolean isFull(long now) {
      return bucket.isFull(now);
    }
  }
}
