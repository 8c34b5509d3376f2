package p2pshare.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped JVM flags (PROTOCOL.md, operating contract): each module's jvm.options is accepted by
 * this JDK, and every launcher starts the jar through it, so what is measured is what ships.
 */
class JvmOptionsTest {
  private static final long JAVA_VERSION_TIMEOUT_S = 60;
  private final Path root = DeployFiles.root();

  @ParameterizedTest
  @ValueSource(strings = {"signaling-node", "load-balancer"})
  void optionsFileIsAcceptedByTheJvm(String module) throws Exception {
    Path options = root.resolve(module).resolve("jvm.options");
    assertTrue(Files.isRegularFile(options), module + "/jvm.options exists");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(java, "@" + options, "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertTrue(p.waitFor(JAVA_VERSION_TIMEOUT_S, TimeUnit.SECONDS), "java -version returned");
    assertEquals(0, p.exitValue(), "java @" + module + "/jvm.options -version");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "scripts/run-cluster.sh",
        "deploy/docker/entrypoint.sh",
        "web/e2e/cluster.ts",
        "bench/browser/run.mjs",
        "bench/signaling/lib/systems.mjs",
        "system-tests/src/test/java/p2pshare/system/JarProcess.java",
        "load-balancer/src/test/java/p2pshare/balancer/BalancerProcess.java"
      })
  void everyLauncherUsesTheOptionsFile(String launcher) {
    String text = DeployFiles.read(root.resolve(launcher));
    assertTrue(text.contains("jvm.options"), launcher + " launches with @<module>/jvm.options");
    assertTrue(
        !text.contains("-Xmx256m") && !text.contains("'-Xmx512m'"), launcher + ": no own heap");
  }

  @ParameterizedTest
  @ValueSource(strings = {"signaling-node", "load-balancer"})
  void imageCarriesTheOptionsFile(String module) {
    String dockerfile = DeployFiles.read(root.resolve("deploy/Dockerfile"));
    assertTrue(
        List.of(dockerfile.split("\n")).stream()
            .anyMatch(l -> l.startsWith("COPY") && l.contains(module + "/jvm.options")),
        "the image copies " + module + "/jvm.options");
  }
}
