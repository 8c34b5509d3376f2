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
          "TURN_TTL_S",
          "MAX_CONNECTIONS_PER_IP",
          "TRUSTED_PROXIES",
          "OPERATOR_TOKEN");

  /** The one coturn config, mounted by compose and carried by deploy/k8s/coturn.yaml. */
  static final String COTURN_CONF = "deploy/coturn/turnserver.conf";

  /** Peers coturn must refuse (issue 14 finding 1), as coturn's denied-peer-ip ranges. */
  static final java.util.List<String> DENIED_PEER_RANGES =
      java.util.List.of(
          "10.0.0.0-10.255.255.255",
          "100.64.0.0-100.127.255.255",
          "127.0.0.0-127.255.255.255",
          "169.254.0.0-169.254.255.255",
          "172.16.0.0-172.31.255.255",
          "192.168.0.0-192.168.255.255",
          "::1",
          "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
          "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

  /** The shipped coturn config denies private peers, TCP relays, and sets quotas. */
  static void assertCoturnLockedDown(String conf) {
    java.util.Set<String> lines =
        conf.lines().map(String::strip).collect(java.util.stream.Collectors.toSet());
    for (String range : DENIED_PEER_RANGES) {
      org.junit.jupiter.api.Assertions.assertTrue(
          lines.contains("denied-peer-ip=" + range), "coturn denies " + range);
    }
    for (String line : java.util.List.of("no-tcp-relay", "use-auth-secret", "no-multicast-peers")) {
      org.junit.jupiter.api.Assertions.assertTrue(lines.contains(line), "coturn: " + line);
    }
    for (String key : java.util.List.of("user-quota=", "total-quota=")) {
      org.junit.jupiter.api.Assertions.assertTrue(
          lines.stream().anyMatch(l -> l.startsWith(key) && !l.endsWith("=0")), "coturn: " + key);
    }
    org.junit.jupiter.api.Assertions.assertFalse(
        lines.contains("allow-loopback-peers"), "coturn must not relay to loopback");
  }

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
