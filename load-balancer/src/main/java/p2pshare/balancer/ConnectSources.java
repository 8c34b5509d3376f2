package p2pshare.balancer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import p2pshare.cluster.NodeLoad;

/**
 * The node hosts the client page may connect to (CSP connect-src): those of the live nodes, plus
 * those seen before (a page open while a node restarts must still reach it), bounded; each as the
 * browser that asked will be told it ({@link NodeUrls}: a LAN browser gets its own host name).
 */
final class ConnectSources {
  /** More distinct node URLs than this and the oldest remembered ones are forgotten. */
  static final int MAX_REMEMBERED = 64;

  private final Set<String> seenUrls = new LinkedHashSet<>();

  /** Remembers the live nodes' URLs. */
  synchronized void update(List<NodeLoad> live) {
    for (NodeLoad n : live) {
      seenUrls.remove(n.url());
      seenUrls.add(n.url()); // most recent last
    }
    while (seenUrls.size() > MAX_REMEMBERED) {
      seenUrls.remove(seenUrls.iterator().next());
    }
  }

  /** The CSP sources of every remembered node, as seen by a browser that used {@code host}. */
  synchronized Set<String> forRequestHost(String requestHost) {
    return SecurityHeaders.nodeSources(
        seenUrls.stream().map(u -> NodeUrls.forRequest(u, requestHost)).toList());
  }
}
