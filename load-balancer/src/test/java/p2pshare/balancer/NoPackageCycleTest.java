package p2pshare.balancer;

import org.junit.jupiter.api.Test;
import p2pshare.core.PackageCycles;

/** No package of this module depends back on one that depends on it (ArchUnit). */
class NoPackageCycleTest {
  @Test
  void packagesAreFreeOfCycles() {
    PackageCycles.assertNoneInThisModule();
  }
}
