package p2pshare.signaling;

import java.net.URI;
import java.util.List;
import p2pshare.cluster.HostNames;

/**
 * The Origin allow-list of /ws: ALLOWED_ORIGINS if set; else a page of the host the client
 * connected to (any port, so the balancer's page may reach its nodes), or — when that host is this
 * machine — a page of this machine under any of its addresses (loopback names and IP literals of
 * its interfaces), so {@code http://127.0.0.1:8080} reaches {@code ws://localhost:8081} and a
 * LAN-address page reaches a node advertised by another of its addresses. No Origin = a non-browser
 * client: allowed.
 */
public final class OriginPolicy {
  private final List<String> allowed;

  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginPolicy::normalise).toList();
  }

  public boolean allowed(String origin, String requestHost) {
    if (origin == null) {
      return true;
    }
    if (!allowed.isEmpty()) {
      return allowed.contains(normalise(origin));
    }
    String originHost;
    try {
      originHost = URI.create(origin).getHost();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (originHost == null || requestHost == null) {
      return false;
    }
    if (originHost.equalsIgnoreCase(requestHost)) {
      return true;
    }
    return HostNames.isThisMachine(requestHost) && HostNames.isThisMachine(originHost);
  }

  private static String normalise(String origin) {
    String o = origin.trim().toLowerCase();
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
