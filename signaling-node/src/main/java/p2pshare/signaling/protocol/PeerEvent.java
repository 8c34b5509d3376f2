package p2pshare.signaling.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message a node relays to peers (signal, broadcast, peer-joined, peer-left), encoded once as the
 * UTF-8 bytes of its JSON object without the closing brace, so numbering it per recipient is one
 * append of {@code ,"seq":N}} into a pooled buffer: no parse, copy or re-encode per recipient.
 */
public final class PeerEvent {
  private static final byte[] SEQ = ",\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_SEQ_DIGITS = 20;

  private final String type;
  private final byte[] head;

  /**
   * @param type the wire type, for metrics
   * @param head the message's JSON object as UTF-8 bytes, without the final {@code }}
   */
  public PeerEvent(String type, byte[] head) {
    this.type = type;
    this.head = head;
  }

  public PeerEvent(String type, String head) {
    this(type, head.getBytes(StandardCharsets.UTF_8));
  }

  public String type() {
    return type;
  }

  /** The encoded head; callers must not change it. */
  public byte[] headBytes() {
    return head;
  }

  public String head() {
    return new String(head, StandardCharsets.UTF_8);
  }

  /** A signal or broadcast (not a membership event). */
  public boolean isRelay() {
    return "signal".equals(type) || "broadcast".equals(type);
  }

  /**
   * The frame a recipient gets, with its per-peer {@code seq}, in a pooled direct buffer (off the
   * heap: the replay ring keeps it without the young generation copying it). The caller owns it.
   * Netty's pooled allocator recycles its buffer objects; the adaptive one (Netty 4.2's default)
   * makes a new NIO ByteBuffer view per buffer, about 1 KB of garbage per message here.
   */
  public ByteBuf frame(long seq) {
    ByteBuf out =
        PooledByteBufAllocator.DEFAULT.directBuffer(head.length + SEQ.length + MAX_SEQ_DIGITS + 1);
    out.writeBytes(head).writeBytes(SEQ);
    writeDecimal(out, seq);
    return out.writeByte('}');
  }

  /** The same frame as text (tests, handover). */
  public String withSeq(long seq) {
    return head() + ",\"seq\":" + seq + "}";
  }

  private static void writeDecimal(ByteBuf out, long value) {
    if (value < 0) {
      out.writeByte('-');
      value = -value;
    }
    long div = 1;
    while (value / div >= 10) {
      div *= 10;
    }
    for (; div > 0; div /= 10) {
      out.writeByte((int) ('0' + (value / div) % 10));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerEvent e && type.equals(e.type) && Arrays.equals(head, e.head);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(head);
  }

  @Override
  public String toString() {
    return "PeerEvent[" + type + ", " + head.length + " bytes]";
  }
}
