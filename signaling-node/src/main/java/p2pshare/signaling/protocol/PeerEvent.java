package p2pshare.signaling.protocol;

/**
 * A message a node relays to peers (signal, broadcast, peer-joined, peer-left), encoded once as
 * JSON text without its closing brace, so numbering it per recipient is one string append instead
 * of a parse, copy and re-encode.
 *
 * @param type the wire type, for metrics
 * @param head the message's JSON object text without the final {@code }}
 */
public record PeerEvent(String type, String head) {
  /** A signal or broadcast (not a membership event). */
  public boolean isRelay() {
    return "signal".equals(type) || "broadcast".equals(type);
  }

  /** The frame a recipient gets: the message with its per-peer {@code seq}. */
  public String withSeq(long seq) {
    return new StringBuilder(head.length() + 24)
        .append(head)
        .append(",\"seq\":")
        .append(seq)
        .append('}')
        .toString();
  }
}
