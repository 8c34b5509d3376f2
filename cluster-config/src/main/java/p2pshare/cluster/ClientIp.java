package p2pshare.cluster;

/**
 * The client address a limit is keyed by (PROTOCOL.md TRUSTED_PROXIES). {@code X-Forwarded-For} is
 * believed only when the TCP peer is a trusted proxy; then the entries are walked from the right
 * (the hop nearest to us), past further trusted proxies, to the first address no trusted proxy
 * vouches for. A client can prepend anything to the header, never append, so that is the address
 * the outermost trusted proxy saw.
 */
public final class ClientIp {
  public static final String FORWARDED_FOR = "X-Forwarded-For";

  /** Header entries looked at, at most: a longer chain is cut here. */
  static final int MAX_HOPS = 16;

  private final AddressRanges trustedProxies;

  public ClientIp(AddressRanges trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /**
   * @param peer the TCP peer's literal address
   * @param forwardedFor the X-Forwarded-For header, or null
   */
  public String resolve(String peer, String forwardedFor) {
    String client = peer == null ? "?" : peer;
    if (forwardedFor == null || !trustedProxies.contains(client)) {
      return client;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0 && i >= hops.length - MAX_HOPS; i--) {
      String hop = hops[i].strip();
      if (!AddressRanges.isValid(hop) || hop.contains("/")) {
        return client; // garbage from here on: the last address a trusted proxy gave
      }
      client = hop;
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return client;
  }
}
