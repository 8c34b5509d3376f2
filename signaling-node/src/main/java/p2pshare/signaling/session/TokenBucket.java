package p2pshare.signaling.session;

/** A token bucket: {@code ratePerSecond} sustained, bursts up to {@code capacity}. */
public final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  public boolean tryTake(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
    last = nowNanos;
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
}
