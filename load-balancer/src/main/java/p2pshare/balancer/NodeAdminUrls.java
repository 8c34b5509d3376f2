package p2pshare.balancer;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;

/**
 * Which node adminUrls the balancer's /metrics may fetch (issue 14 finding 7, SSRF): {@code
 * http://<ip>:<port>} with no user, path, query or fragment, whose IP is the address of a current
 * cluster member. A record rewritten to point anywhere else (169.254.169.254, an internal service)
 * is never fetched.
 */
final class NodeAdminUrls {
  private final HazelcastInstance hazelcast;

  NodeAdminUrls(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  boolean allowed(String adminUrl) {
    return allowed(adminUrl, memberHosts());
  }

  static boolean allowed(String adminUrl, Set<String> memberHosts) {
    if (adminUrl == null) {
      return false;
    }
    try {
      URI u = new URI(adminUrl);
      String path = u.getRawPath();
      return "http".equals(u.getScheme())
          && u.getRawUserInfo() == null
          && u.getRawQuery() == null
          && u.getRawFragment() == null
          && (path == null || path.isEmpty() || "/".equals(path))
          && u.getPort() > 0
          && u.getHost() != null
          && memberHosts.contains(stripBrackets(u.getHost()));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private Set<String> memberHosts() {
    Set<String> hosts = new HashSet<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      hosts.add(stripBrackets(m.getAddress().getHost()));
    }
    return hosts;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
