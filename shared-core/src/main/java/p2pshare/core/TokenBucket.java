package p2pshare.core;

/**
 * A token bucket: {@code ratePerSecond} sustained, bursts up to {@code capacity}; it starts full.
 * Time is passed in (nanoseconds of a monotonic clock), so callers and tests choose the clock. Not
 * thread-safe: one owner thread, or the caller synchronizes.
 */
public final class TokenBucket {
  private static final double NANOS_PER_SECOND = 1e9;

  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
    this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Nanoseconds until the bucket holds {@code wanted} tokens (0 if it does already). */
  public long nanosUntil(double wanted, long nowNanos) {
    double have = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
    return have >= wanted ? 0 : (long) Math.ceil((Math.min(wanted, capacity) - have) / ratePerNano);
  }

  /** True when the bucket is back to its capacity (its owner has been idle long enough). */
  public boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= capacity;
  }

  private void refill(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
    last = nowNanos;
  }
}
