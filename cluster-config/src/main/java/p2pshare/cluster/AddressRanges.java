package p2pshare.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A list of IP addresses and CIDR blocks (TRUSTED_PROXIES), matched against literal addresses only:
 * nothing here ever looks a name up.
 */
public final class AddressRanges {
  private static final String LITERAL = "[0-9a-fA-F:.]+";

  private record Block(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks;

  private AddressRanges(List<Block> blocks) {
    this.blocks = blocks;
  }

  /** Parses entries already checked by {@link #isValid}. */
  public static AddressRanges of(List<String> entries) {
    return new AddressRanges(entries.stream().map(AddressRanges::parse).toList());
  }

  /** An IP address or a CIDR block such as 10.0.0.0/8 or fd00::/8. */
  public static boolean isValid(String entry) {
    try {
      parse(entry);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** True when the literal address lies in one of the blocks; false for anything unparseable. */
  public boolean contains(String address) {
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (Block b : blocks) {
      if (b.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /**
   * Loopback, RFC 1918, link-local, CGNAT (100.64/10) or IPv6 unique-local: an address that is not
   * on the public internet.
   */
  public static boolean isPrivate(String address) {
    byte[] b = literal(address);
    if (b == null) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByAddress(b);
      boolean cgnat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
      boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
      return a.isLoopbackAddress()
          || a.isSiteLocalAddress()
          || a.isLinkLocalAddress()
          || cgnat
          || uniqueLocalV6;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Block parse(String entry) {
    String text = entry.strip();
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    byte[] network = literal(host);
    if (network == null) {
      throw new IllegalArgumentException("not an IP address: " + host);
    }
    int bits = network.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length");
      }
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("bad prefix length");
      }
    }
    return new Block(network, bits);
  }

  /** The bytes of a literal IPv4/IPv6 address (IPv4-mapped IPv6 as IPv4), or null. */
  private static byte[] literal(String address) {
    if (address == null) {
      return null;
    }
    String a = address.strip();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    if (a.isEmpty()
        || a.length() > 45
        || !a.matches(LITERAL)
        || !(a.contains(".") || a.contains(":"))) {
      return null;
    }
    if (!a.contains(":") && !a.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null; // a dotted form InetAddress would read loosely (e.g. "10.1") is not accepted
    }
    try {
      return InetAddress.getByName(a).getAddress(); // a literal: parsed, never resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
