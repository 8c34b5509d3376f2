package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar, started with {@code java -jar} and configured by environment variables only. */
class BalancerJarIT {
  private static final Path BUILT_JAR =
      Path.of(System.getProperty("balancer.jar", "target/load-balancer.jar"));

  @TempDir Path dir;

  /** A private copy, so a concurrent build rewriting target/ cannot break the running JVM. */
  private Path jar;

  @BeforeEach
  void copyJar() throws Exception {
    assertTrue(Files.isRegularFile(BUILT_JAR), "built jar " + BUILT_JAR);
    jar = Files.copy(BUILT_JAR, dir.resolve("load-balancer.jar"));
  }

  @Test
  void badClusterMembersStopsStartUpWithOneLineNamingIt() throws Exception {
    BalancerProcess p = BalancerProcess.start(jar, Map.of("CLUSTER_MEMBERS", "host:notaport"), dir);
    assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(BalancerMain.EXIT_BAD_CONFIG, p.process.exitValue());
    List<String> lines = p.stderrLines();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("CLUSTER_MEMBERS"), lines.get(0));
  }

  @Test
  void servesThenDrainsOnSigtermAndExitsZeroWithinTenSeconds() throws Exception {
    int clusterPort = TestSupport.freePort();
    BalancerProcess p =
        BalancerProcess.start(
            jar,
            TestSupport.env(
                "balancer-jar", TestSupport.randomClusterName(), clusterPort, clusterPort),
            dir);
    try {
      String base = "http://127.0.0.1:" + p.awaitReadyPort();
      assertEquals(200, TestSupport.get(base + "/readyz").statusCode());
      assertEquals(200, TestSupport.get(base + "/healthz").statusCode());
      HttpResponse<String> noNode = TestSupport.post(base + "/api/rooms");
      assertEquals(503, noNode.statusCode());
      assertTrue(noNode.body().contains("\"no-live-node\""));
      String dashboard = TestSupport.get(base + "/dashboard").body();
      String lib = dashboard.replaceAll("(?s).*<script src=\"(/webjars/[^\"]+)\".*", "$1");
      assertEquals(200, TestSupport.get(base + lib).statusCode(), lib);
      assertEquals(200, TestSupport.get(base + "/").statusCode());
      assertTrue(TestSupport.get(base + "/metrics").body().contains("# TYPE "));

      long t0 = System.nanoTime();
      p.process.destroy(); // SIGTERM
      assertTrue(p.process.waitFor(10, TimeUnit.SECONDS), "exit within 10 s");
      assertEquals(0, p.process.exitValue(), BalancerProcess.read(p.err));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
    } finally {
      p.process.destroyForcibly();
    }
  }
}
