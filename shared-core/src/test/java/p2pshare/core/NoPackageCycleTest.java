package p2pshare.core;

import org.junit.jupiter.api.Test;

/** No package of this module depends back on one that depends on it (ArchUnit). */
class NoPackageCycleTest {
  @Test
  void packagesAreFreeOfCycles() {
    PackageCycles.assertNoneInThisModule();
  }
}
