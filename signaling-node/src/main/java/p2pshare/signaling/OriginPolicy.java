package p2pshare.signaling;

import java.net.URI;
import java.util.List;

/**
 * The Origin allow-list of /ws: ALLOWED_ORIGINS if set, else pages of the node's own host name (any
 * port, so the balancer's page may reach its nodes). No Origin = a non-browser client: allowed.
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
    try {
      String originHost = URI.create(origin).getHost();
      return originHost != null && requestHost != null && originHost.equalsIgnoreCase(requestHost);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String normalise(String origin) {
    String o = origin.trim().toLowerCase();
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
