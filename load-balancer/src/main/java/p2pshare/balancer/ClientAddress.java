package p2pshare.balancer;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The client address a rate limit is keyed by. Behind a reverse proxy or ingress on a loopback or
 * private address every request would share the proxy's address, so from such a peer the rightmost
 * {@code X-Forwarded-For} entry is used: the address the nearest proxy itself saw, which a client
 * cannot forge. From any other peer the header is ignored.
 */
final class ClientAddress {
  static final String FORWARDED_FOR = "X-Forwarded-For";

  /** An address longer than this in the header is not an address. */
  static final int MAX_ADDRESS_CHARS = 64;

  private ClientAddress() {}

  static String of(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null || remote.hostAddress() == null ? "?" : remote.hostAddress();
    String forwarded = request.getHeader(FORWARDED_FOR);
    if (forwarded == null || !isProxyAddress(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    String nearest = hops[hops.length - 1].strip();
    return nearest.isEmpty() || nearest.length() > MAX_ADDRESS_CHARS ? peer : nearest;
  }

  /** Loopback, site-local (10/8, 172.16/12, 192.168/16), link-local or unique-local IPv6. */
  static boolean isProxyAddress(String ip) {
    if (!ip.matches("[0-9a-fA-F:.]+")) {
      return false; // only literal addresses: never a name lookup here
    }
    try {
      InetAddress a = InetAddress.getByName(ip);
      byte[] b = a.getAddress();
      boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
      return a.isLoopbackAddress()
          || a.isSiteLocalAddress()
          || a.isLinkLocalAddress()
          || uniqueLocalV6;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
