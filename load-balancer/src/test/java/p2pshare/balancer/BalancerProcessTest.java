package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The balancer as users run it: a separate JVM configured only by environment variables. */
class BalancerProcessTest {
  private static final Pattern READY = Pattern.compile("balancer ready .*port=(\\d+)");

  @TempDir Path dir;

  private Process start(Map<String, String> env, Path out, Path err) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                BalancerMain.class.getName())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment()
        .keySet()
        .removeIf(k -> k.equals("PORT") || k.startsWith("CLUSTER_") || k.equals("NODE_ID"));
    pb.environment().putAll(env);
    return pb.start();
  }

  @Test
  void badPortStopsStartUpWithOneLineNamingIt() throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p = start(Map.of("PORT", "abc"), out, err);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(BalancerMain.EXIT_BAD_CONFIG, p.exitValue());
    List<String> lines = Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("PORT"), lines.get(0));
  }

  @Test
  void sigtermTurnsReadinessOffAndExitsZeroWithinTenSeconds() throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    int clusterPort = TestSupport.freePort();
    Process p =
        start(
            TestSupport.env(
                "balancer-proc", TestSupport.randomClusterName(), clusterPort, clusterPort),
            out,
            err);
    try {
      int port =
          TestSupport.waitFor(
              "the balancer to be ready",
              () -> {
                assertTrue(p.isAlive(), "balancer died: " + read(err));
                Matcher m = READY.matcher(read(out));
                return m.find() ? Integer.parseInt(m.group(1)) : null;
              });
      String base = "http://127.0.0.1:" + port;
      assertEquals(200, TestSupport.get(base + "/readyz").statusCode());
      assertEquals(200, TestSupport.get(base + "/healthz").statusCode());

      long t0 = System.nanoTime();
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "exit within 10 s");
      assertEquals(0, p.exitValue(), read(err));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
    } finally {
      p.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      File f = file.toFile();
      return f.exists() ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
