package p2pshare.deploycheck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's contract in text: overridable bases, non-root, a health check, PID-1 java. */
class DockerfileTest {
  private final Path root = DeployFiles.root();
  private final String dockerfile = DeployFiles.read(root.resolve("deploy/Dockerfile"));

  @Test
  void baseImagesAreBuildArguments() {
    for (String arg : List.of("BUILD_IMAGE", "NODE_IMAGE", "RUNTIME_IMAGE")) {
      assertTrue(dockerfile.contains("ARG " + arg + "="), arg + " with a default");
      assertTrue(dockerfile.contains("${" + arg + "}"), arg + " used in a FROM");
    }
  }

  @Test
  void runtimeIsNonRootHealthCheckedAndExecForm() {
    assertTrue(dockerfile.matches("(?s).*\\nUSER 10001(:10001)?\\n.*"), "USER non-root");
    assertTrue(dockerfile.contains("HEALTHCHECK "), "HEALTHCHECK");
    assertTrue(dockerfile.contains("MaxRAMPercentage"), "container-aware heap");
    assertTrue(dockerfile.matches("(?s).*\\nENTRYPOINT \\[\"[^\"]+\"].*"), "exec-form ENTRYPOINT");
    String entry = DeployFiles.read(root.resolve("deploy/docker/entrypoint.sh"));
    assertTrue(entry.contains("exec java "), "the entrypoint execs java (SIGTERM reaches it)");
    String health = DeployFiles.read(root.resolve("deploy/docker/healthcheck.sh"));
    assertTrue(health.contains("/healthz"), "the health check asks /healthz");
    assertTrue(Files.isExecutable(root.resolve("deploy/docker/entrypoint.sh")));
    assertTrue(Files.isExecutable(root.resolve("deploy/docker/healthcheck.sh")));
  }

  @Test
  void buildContextLeavesOutBuildOutput() {
    String ignore = DeployFiles.read(root.resolve(".dockerignore"));
    for (String p : List.of(".git", "**/target", "**/node_modules")) {
      assertTrue(ignore.lines().anyMatch(p::equals), ".dockerignore has " + p);
    }
  }
}
