package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void burstThenRefillPerKey() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(5, 2.0, now::get);
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire("a"));
    }
    assertFalse(limiter.tryAcquire("a"));
    assertTrue(limiter.tryAcquire("b"), "other clients are unaffected");
    now.addAndGet(500_000_000L); // half a second: one token at 2/s
    assertTrue(limiter.tryAcquire("a"));
    assertFalse(limiter.tryAcquire("a"));
    now.addAndGet(60_000_000_000L);
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire("a"), "refilled up to the burst, not beyond");
    }
    assertFalse(limiter.tryAcquire("a"));
  }
}
