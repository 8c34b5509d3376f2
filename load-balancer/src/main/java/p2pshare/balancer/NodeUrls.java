package p2pshare.balancer;

import java.net.URI;
import java.net.URISyntaxException;
import p2pshare.cluster.HostNames;

/**
 * The node URL handed to one browser. A node advertised on loopback or a bind-all address (the
 * default {@code PUBLIC_URL} is {@code ws://localhost:<PORT>/ws}) is only reachable from this
 * machine; a browser that reached the balancer by another name — a phone on the LAN using {@code
 * http://192.168.1.20:8080} — gets the node under that same host, same scheme, port and path.
 * Browsers on loopback, and nodes with a real {@code PUBLIC_URL}, get the URL unchanged.
 */
final class NodeUrls {
  private NodeUrls() {}

  /**
   * @param nodeUrl the node's advertised URL
   * @param requestHost the host the browser used for this request (Host header, no port), or null
   */
  static String forRequest(String nodeUrl, String requestHost) {
    if (requestHost == null
        || requestHost.isBlank()
        || HostNames.isLoopback(requestHost)
        || HostNames.isUnspecified(requestHost)) {
      return nodeUrl;
    }
    URI uri;
    try {
      uri = new URI(nodeUrl);
    } catch (URISyntaxException e) {
      return nodeUrl;
    }
    String nodeHost = uri.getHost();
    if (nodeHost == null
        || !(HostNames.isLoopback(nodeHost) || HostNames.isUnspecified(nodeHost))) {
      return nodeUrl;
    }
    StringBuilder b = new StringBuilder();
    b.append(uri.getScheme()).append("://").append(HostNames.forUrl(requestHost));
    if (uri.getPort() >= 0) {
      b.append(':').append(uri.getPort());
    }
    if (uri.getRawPath() != null) {
      b.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      b.append('?').append(uri.getRawQuery());
    }
    return b.toString();
  }
}
