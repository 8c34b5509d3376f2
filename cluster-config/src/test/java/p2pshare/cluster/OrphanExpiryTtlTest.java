package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * An orphan's deadline entry lives to the end of its window plus the grace, never less than 1 ms.
 */
class OrphanExpiryTtlTest {
  @Test
  void theDeadlineLivesToTheEndOfTheWindowPlusTheGrace() {
    assertEquals(6_000 + OrphanExpiry.GRACE_MS, OrphanExpiry.ttlMs(10_000, 4_000));
    assertEquals(1, OrphanExpiry.ttlMs(1_000, 4_000), "a window already over still expires");
  }
}
