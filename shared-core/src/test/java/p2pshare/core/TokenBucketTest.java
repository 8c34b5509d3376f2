package p2pshare.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bucket under a fake clock: never more than it may give (upper), never less (lower). */
class TokenBucketTest {
  static final double RATE = 10; // tokens per second: one per 100 ms
  static final double BURST = 5;
  static final long MS = 1_000_000;

  /** How many tokens the bucket gives at {@code now} before it refuses. */
  private static int drain(TokenBucket bucket, long now) {
    int taken = 0;
    while (bucket.tryTake(now)) {
      taken++;
    }
    return taken;
  }

  @Test
  void aFullBucketGivesExactlyItsBurstAtOnce() {
    TokenBucket bucket = new TokenBucket(RATE, BURST, 0);
    assertEquals((int) BURST, drain(bucket, 0), "the burst, no more and no less");
    assertFalse(bucket.tryTake(0));
  }

  @Test
  void afterADrainItGivesTheRateTimesTheElapsedTimeNoMoreNoLess() {
    TokenBucket bucket = new TokenBucket(RATE, BURST, 0);
    drain(bucket, 0);
    assertFalse(bucket.tryTake(99 * MS), "less than one interval: nothing yet (upper bound)");
    assertTrue(bucket.tryTake(100 * MS), "one interval: one token (lower bound)");
    assertFalse(bucket.tryTake(100 * MS));
    // 300 ms more: exactly 3 tokens.
    assertEquals(3, drain(bucket, 400 * MS));
  }

  @Test
  void anIdleBucketRefillsOnlyUpToItsCapacity() {
    TokenBucket bucket = new TokenBucket(RATE, BURST, 0);
    drain(bucket, 0);
    assertFalse(bucket.isFull(0));
    assertFalse(bucket.isFull(400 * MS), "4 of 5 tokens back");
    assertTrue(bucket.isFull(500 * MS));
    assertEquals((int) BURST, drain(bucket, 60_000 * MS), "a minute idle still gives the burst");
  }

  @Test
  void itTellsHowLongUntilItHoldsEnoughTokens() {
    TokenBucket bucket = new TokenBucket(RATE, BURST, 0);
    assertEquals(0, bucket.nanosUntil(BURST, 0), "full already");
    drain(bucket, 0);
    assertEquals(300 * MS, bucket.nanosUntil(3, 0));
    assertEquals(100 * MS, bucket.nanosUntil(3, 200 * MS));
    assertEquals(500 * MS, bucket.nanosUntil(BURST * 2, 0), "never more than the capacity");
  }
}
