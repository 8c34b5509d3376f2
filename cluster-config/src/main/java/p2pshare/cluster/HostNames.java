package p2pshare.cluster;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Host names as they appear in URLs and Host/Origin headers, classified without any DNS lookup (a
 * handshake must never block on a resolver): loopback, unspecified, or one of this machine's own
 * interface addresses. Only IP literals and {@code localhost} are recognised; any other name is
 * "not known to be local".
 */
public final class HostNames {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%\\w+)?");

  /** How long the list of this machine's addresses is trusted (DHCP and Wi-Fi change it). */
  static final long OWN_ADDRESSES_TTL_MS = 10_000;

  private static volatile Set<InetAddress> ownAddresses = Set.of();
  private static volatile long ownAddressesAt; // 0: never read

  private HostNames() {}

  /** {@code localhost}, {@code *.localhost}, 127.0.0.0/8 or ::1 (brackets allowed). */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = bare(host);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    InetAddress a = literal(h);
    return a != null && a.isLoopbackAddress();
  }

  /** 0.0.0.0 or :: — a bind-all address, never a place a browser can connect to. */
  public static boolean isUnspecified(String host) {
    InetAddress a = host == null ? null : literal(bare(host));
    return a != null && a.isAnyLocalAddress();
  }

  /** Loopback, or an IP literal bound to one of this machine's network interfaces. */
  public static boolean isThisMachine(String host) {
    if (isLoopback(host)) {
      return true;
    }
    InetAddress a = host == null ? null : literal(bare(host));
    return a != null && own().contains(a);
  }

  /** The host for a URL authority: IPv6 literals get their brackets. */
  public static String forUrl(String host) {
    String h = bare(host);
    return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
  }

  private static String bare(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h;
  }

  /** The address of an IP literal, or null for a name (never resolved). */
  private static InetAddress literal(String h) {
    if (!IPV4.matcher(h).matches() && !IPV6.matcher(h).matches()) {
      return null;
    }
    try {
      return withoutScope(InetAddress.getByName(h)); // a literal: parsed, no lookup
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static Set<InetAddress> own() {
    long now = System.currentTimeMillis();
    if (now - ownAddressesAt > OWN_ADDRESSES_TTL_MS) {
      Set<InetAddress> found = new HashSet<>();
      try {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress a : Collections.list(nif.getInetAddresses())) {
            found.add(withoutScope(a));
          }
        }
      } catch (SocketException e) {
        // keep what we had: an enumeration failure must not refuse the local page
        found.addAll(ownAddresses);
      }
      ownAddresses = Set.copyOf(found);
      ownAddressesAt = now;
    }
    return ownAddresses;
  }

  private static InetAddress withoutScope(InetAddress a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException e) {
      return a;
    }
  }
}
