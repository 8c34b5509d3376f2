package p2pshare.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a node's published record may say (issue 14 finding 7): anything that reaches the cluster
 * can write the nodes map, so the balancer checks every record where it reads it and ignores one
 * that fails, and a node checks its own PUBLIC_URL at start by the same rule. The contract has no
 * variable for a URL pattern, so the pattern is fixed here.
 */
public final class NodeRecordRules {
  /** Longest url or adminUrl accepted. */
  public static final int MAX_URL_CHARS = 2048;

  /** A node id: 1-64 printable ASCII characters without spaces (as NODE_ID). */
  public static final Pattern NODE_ID = Pattern.compile("[\\x21-\\x7e]{1,64}");

  /** Schemes a browser may be sent to for signaling. */
  public static final Set<String> URL_SCHEMES = Set.of("ws", "wss");

  /**
   * The signaling path: {@code /ws}, optionally below plain path segments (a proxy that routes
   * {@code /node-3/ws} to one node); no "." or ".." segment, no percent-escape.
   */
  public static final Pattern URL_PATH = Pattern.compile("(/(?!\\.{1,2}/)[A-Za-z0-9._~-]+)*/ws");

  /** Schemes of a node's admin base (its /metrics). */
  public static final Set<String> ADMIN_SCHEMES = Set.of("http", "https");

  /**
   * Where an adminUrl may point: loopback, RFC 1918, CGNAT and IPv6 unique-local literals — the
   * networks cluster members live on. Not link-local: 169.254.169.254 is the cloud's metadata.
   */
  public static final AddressRanges ADMIN_HOSTS =
      AddressRanges.of(
          List.of(
              "127.0.0.0/8",
              "10.0.0.0/8",
              "172.16.0.0/12",
              "192.168.0.0/16",
              "100.64.0.0/10",
              "::1/128",
              "fc00::/7"));

  private NodeRecordRules() {}

  /**
   * The first field of a record that breaks the rules ("id", "url", "adminUrl"), or null when the
   * record is acceptable. A missing adminUrl is acceptable (the node is just not scraped).
   */
  public static String refusedField(NodeLoad load) {
    if (load.id() == null || !NODE_ID.matcher(load.id()).matches()) {
      return "id";
    }
    if (!validUrl(load.url())) {
      return "url";
    }
    if (load.adminUrl() != null && !validAdminUrl(load.adminUrl())) {
      return "adminUrl";
    }
    return null;
  }

  /** ws/wss, a host, no user info, an explicit port in range or the scheme's, path /ws. */
  public static boolean validUrl(String url) {
    URI u = parse(url);
    return u != null
        && u.getScheme() != null
        && URL_SCHEMES.contains(u.getScheme())
        && u.getRawUserInfo() == null
        && u.getHost() != null
        && !u.getHost().isEmpty()
        && validPort(u.getPort(), true)
        && u.getRawQuery() == null
        && u.getRawFragment() == null
        && u.getRawPath() != null
        && URL_PATH.matcher(u.getRawPath()).matches();
  }

  /** http(s)://<loopback or private IP literal>:<port>, nothing else. */
  public static boolean validAdminUrl(String adminUrl) {
    URI u = parse(adminUrl);
    return u != null
        && u.getScheme() != null
        && ADMIN_SCHEMES.contains(u.getScheme())
        && u.getRawUserInfo() == null
        && u.getHost() != null
        && ADMIN_HOSTS.contains(u.getHost())
        && validPort(u.getPort(), false)
        && u.getRawQuery() == null
        && u.getRawFragment() == null
        && (u.getRawPath() == null || u.getRawPath().isEmpty() || "/".equals(u.getRawPath()));
  }

  private static boolean validPort(int port, boolean schemeDefaultAllowed) {
    return (port >= 1 && port <= 65_535) || (schemeDefaultAllowed && port == -1);
  }

  private static URI parse(String text) {
    if (text == null || text.length() > MAX_URL_CHARS) {
      return null;
    }
    try {
      URI u = new URI(text);
      return u.isAbsolute() && !u.isOpaque() ? u : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
