package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up configuration errors, in a separate JVM (the jar itself: {@link BalancerJarIT}). */
class BalancerProcessTest {
  @TempDir Path dir;

  @Test
  void badPortStopsStartUpWithOneLineNamingIt() throws Exception {
    BalancerProcess p = BalancerProcess.start(null, Map.of("PORT", "abc"), dir);
    assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(BalancerMain.EXIT_BAD_CONFIG, p.process.exitValue());
    List<String> lines = p.stderrLines();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("PORT"), lines.get(0));
  }
}
