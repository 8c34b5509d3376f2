package p2pshare.signaling.cluster;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import p2pshare.signaling.protocol.PeerEvent;

/**
 * A relayed message for peers of one other node, as a compact binary event-bus body: the event's
 * pre-encoded text travels as bytes, so the receiving node neither parses nor re-encodes it.
 * Layout: forwarded u8 | origin str | count u16 | peer ids str… | type str | head str, where str is
 * a u32 byte length and UTF-8 bytes.
 *
 * @param to local peers of the receiving node
 * @param origin the node that sent it first
 * @param forwarded set when a peer's old node passes it on after a handover
 */
public record DeliverFrame(List<String> to, PeerEvent event, String origin, boolean forwarded) {
  public Buffer encode() {
    byte[] head = event.headBytes();
    Buffer out = Buffer.buffer(head.length + 64 + 32 * to.size());
    out.appendByte((byte) (forwarded ? 1 : 0));
    appendString(out, origin);
    out.appendUnsignedShort(to.size());
    to.forEach(id -> appendString(out, id));
    appendString(out, event.type());
    out.appendInt(head.length).appendBytes(head);
    return out;
  }

  public static DeliverFrame decode(Buffer in) {
    Reader r = new Reader(in);
    boolean forwarded = r.u8() != 0;
    String origin = r.string();
    int count = r.u16();
    List<String> to = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      to.add(r.string());
    }
    String type = r.string();
    byte[] head = r.bytes();
    return new DeliverFrame(to, new PeerEvent(type, head), origin, forwarded);
  }

  private static void appendString(Buffer out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  private static final class Reader {
    private final Buffer in;
    private int pos;

    Reader(Buffer in) {
      this.in = in;
    }

    int u8() {
      return in.getUnsignedByte(pos++);
    }

    int u16() {
      int value = in.getUnsignedShort(pos);
      pos += 2;
      return value;
    }

    byte[] bytes() {
      int length = in.getInt(pos);
      byte[] b = in.getBytes(pos + 4, pos + 4 + length);
      pos += 4 + length;
      return b;
    }

    String string() {
      int length = in.getInt(pos);
      String s = in.getString(pos + 4, pos + 4 + length, "UTF-8");
      pos += 4 + length;
      return s;
    }
  }
}
