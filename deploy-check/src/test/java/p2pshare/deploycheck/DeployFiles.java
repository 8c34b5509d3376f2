package p2pshare.deploycheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Where the deployment files live, and the environment variables a process may be given. */
final class DeployFiles {
  private DeployFiles() {}

  /**
   * The operating contract of docs/PROTOCOL.md ("Running"), with the discovery mode and its
   * headless service name, plus the image's own ROLE, JAVA_OPTS and JAVA_TOOL_OPTIONS.
   */
  static final Set<String> CONTRACT_ENV =
      Set.of(
          "NODE_ID",
          "HOST",
          "PORT",
          "PUBLIC_URL",
          "CLUSTER_NAME",
          "CLUSTER_HOST",
          "CLUSTER_PORT",
          "CLUSTER_MEMBERS",
          "CLUSTER_DISCOVERY",
          "KUBERNETES_SERVICE_DNS",
          "ALLOWED_ORIGINS",
          "RESUME_WINDOW_S",
          "IDLE_TIMEOUT_S",
          "MAX_PEERS_PER_ROOM",
          "TURN_URLS",
          "TURN_SECRET",
          "TURN_TTL_S");

  static final Set<String> IMAGE_ENV = Set.of("ROLE", "JAVA_OPTS", "JAVA_TOOL_OPTIONS");

  /** A signaling node drains within this many seconds after SIGTERM (PROTOCOL.md). */
  static final int DRAIN_S = 10;

  static Path root() {
    String configured = System.getProperty("deploy.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy")) && Files.exists(p.resolve("docker-compose.yml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root with deploy/ above " + start);
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
