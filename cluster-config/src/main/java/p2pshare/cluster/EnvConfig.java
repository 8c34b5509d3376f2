package p2pshare.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every setting of a process, read only from the environment variables of PROTOCOL.md. A bad value
 * throws {@link ConfigException} naming the variable.
 */
public record EnvConfig(
    Role role,
    String nodeId,
    String host,
    int port,
    String publicUrl,
    String clusterName,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
    Discovery discovery,
    String kubernetesServiceDns,
    List<String> allowedOrigins,
    int resumeWindowS,
    int idleTimeoutS,
    int maxPeersPerRoom,
    List<String> turnUrls,
    String turnSecret,
    int turnTtlS,
    String assetBaseUrl,
    int maxConnectionsPerIp,
    List<String> trustedProxies,
    String operatorToken,
    Optional<EventBusTls> eventBusTls) {

  /** TURN credentials live this long unless TURN_TTL_S says otherwise: short, a share's setup. */
  public static final int DEFAULT_TURN_TTL_S = 600;

  /** WebSocket connections one client address may hold on a node (MAX_CONNECTIONS_PER_IP). */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 256;

  /** How Hazelcast finds its peers: a TCP-IP member list, or a Kubernetes headless service. */
  public enum Discovery {
    TCP_IP,
    KUBERNETES
  }

  private static final Pattern NODE_ID = NodeRecordRules.NODE_ID;
  private static final Pattern HOST_PORT =
      Pattern.compile(
          "[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:]+\\]|[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:]+\\]:\\d{1,5}");

  public static EnvConfig fromSystem(Role role) {
    return from(System.getenv(), role);
  }

  public static EnvConfig from(Map<String, String> env, Role role) {
    EnvReader r = new EnvReader(env);
    int port = r.port("PORT", role.defaultPort, true);
    String nodeId = r.string("NODE_ID", role.idPrefix + port);
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException("NODE_ID", nodeId, "1-64 printable characters without spaces");
    }
    String defaultPublicUrl = "ws://localhost:" + port + "/ws"; // PORT=0: named once bound
    String publicUrl = r.string("PUBLIC_URL", defaultPublicUrl);
    if (!publicUrl.equals(defaultPublicUrl) && !NodeRecordRules.validUrl(publicUrl)) {
      // the balancer ignores a node record whose url breaks this rule
      throw new ConfigException(
          "PUBLIC_URL", publicUrl, "a ws:// or wss:// URL with a host and the path /ws");
    }
    List<String> members = r.list("CLUSTER_MEMBERS", List.of("127.0.0.1"));
    for (String m : members) {
      if (!HOST_PORT.matcher(m).matches() || !validPortSuffix(m)) {
        throw new ConfigException("CLUSTER_MEMBERS", m, "a comma list of host[:port]");
      }
    }
    String assetBaseUrl = r.string("ASSET_BASE_URL", "");
    if (!assetBaseUrl.isEmpty() && !assetBaseUrl.matches("https?://[^\\s\"<>]+")) {
      throw new ConfigException("ASSET_BASE_URL", assetBaseUrl, "an http:// or https:// URL");
    }
    String discoveryText = r.string("CLUSTER_DISCOVERY", "tcp-ip");
    Discovery discovery =
        switch (discoveryText) {
          case "tcp-ip" -> Discovery.TCP_IP;
          case "kubernetes" -> Discovery.KUBERNETES;
          default ->
              throw new ConfigException("CLUSTER_DISCOVERY", discoveryText, "tcp-ip or kubernetes");
        };
    return new EnvConfig(
        role,
        nodeId,
        r.string("HOST", "0.0.0.0"),
        port,
        publicUrl,
        r.string("CLUSTER_NAME", "p2p-share"),
        r.string("CLUSTER_HOST", "127.0.0.1"),
        r.port("CLUSTER_PORT", 5701, true),
        members,
        discovery,
        r.string("KUBERNETES_SERVICE_DNS", ""),
        r.list("ALLOWED_ORIGINS", List.of()),
        r.positiveInt("RESUME_WINDOW_S", 30),
        r.positiveInt("IDLE_TIMEOUT_S", 45),
        r.positiveInt("MAX_PEERS_PER_ROOM", 64),
        r.list("TURN_URLS", List.of()),
        r.string("TURN_SECRET", ""),
        r.positiveInt("TURN_TTL_S", DEFAULT_TURN_TTL_S),
        assetBaseUrl,
        r.nonNegativeInt("MAX_CONNECTIONS_PER_IP", DEFAULT_MAX_CONNECTIONS_PER_IP),
        trustedProxies(r.list("TRUSTED_PROXIES", List.of())),
        r.string("OPERATOR_TOKEN", ""),
        // only a node has an event bus; the balancer's lite member ignores these variables
        role == Role.NODE ? EventBusTls.from(env) : Optional.empty());
  }

  private static List<String> trustedProxies(List<String> entries) {
    for (String e : entries) {
      if (!AddressRanges.isValid(e)) {
        throw new ConfigException("TRUSTED_PROXIES", e, "a comma list of IP addresses or CIDRs");
      }
    }
    return entries;
  }

  private static boolean validPortSuffix(String member) {
    int colon = member.lastIndexOf(':');
    if (colon < 0 || member.endsWith("]")) {
      return true;
    }
    int p = Integer.parseInt(member.substring(colon + 1));
    return p >= 1 && p <= 65_535;
  }

  /** Secrets (TURN_SECRET, OPERATOR_TOKEN) never reach a log through this. */
  @Override
  public String toString() {
    return "EnvConfig[role=%s, nodeId=%s, port=%d, publicUrl=%s, clusterName=%s, turnSecret=%s, operatorToken=%s]"
        .formatted(
            role,
            nodeId,
            port,
            publicUrl,
            clusterName,
            turnSecret.isEmpty() ? "unset" : "set",
            operatorToken.isEmpty() ? "unset" : "set");
  }

  /** The same settings with another public URL: used once the real port is known (PORT=0). */
  public EnvConfig withBoundPort(int boundPort) {
    String url =
        publicUrl.equals("ws://localhost:" + port + "/ws")
            ? "ws://localhost:" + boundPort + "/ws"
            : publicUrl;
    String id = nodeId.equals(role.idPrefix + port) ? role.idPrefix + boundPort : nodeId;
    return new EnvConfig(
        role,
        id,
        host,
        boundPort,
        url,
        clusterName,
        clusterHost,
        clusterPort,
        clusterMembers,
        discovery,
        kubernetesServiceDns,
        allowedOrigins,
        resumeWindowS,
        idleTimeoutS,
        maxPeersPerRoom,
        turnUrls,
        turnSecret,
        turnTtlS,
        assetBaseUrl,
        maxConnectionsPerIp,
        trustedProxies,
        operatorToken,
        eventBusTls);
  }

  /** Reads and checks single variables; blank counts as unset. */
  private record EnvReader(Map<String, String> env) {
    String string(String name, String fallback) {
      String v = env.get(name);
      return v == null || v.isBlank() ? fallback : v.trim();
    }

    int port(String name, int fallback, boolean zeroAllowed) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      try {
        int p = Integer.parseInt(v);
        if (p < (zeroAllowed ? 0 : 1) || p > 65_535) {
          throw new ConfigException(name, v, "a port number 0-65535");
        }
        return p;
      } catch (NumberFormatException e) {
        throw new ConfigException(name, v, "a port number 0-65535");
      }
    }

    int positiveInt(String name, int fallback) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n <= 0) {
          throw new ConfigException(name, v, "a positive whole number");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(name, v, "a positive whole number");
      }
    }

    int nonNegativeInt(String name, int fallback) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < 0) {
          throw new ConfigException(name, v, "a whole number >= 0");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(name, v, "a whole number >= 0");
      }
    }

    List<String> list(String name, List<String> fallback) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  }
}
