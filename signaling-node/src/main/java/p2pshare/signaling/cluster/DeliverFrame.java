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
 * a u32 byte length and UTF-8 bytes. It travels with {@link DeliverFrameCodec}, which writes it
 * straight into the event bus's wire buffer and reads it from there.
 *
 * @param to local peers of the receiving node
 * @param origin the node that sent it first
 * @param forwarded set when a peer's old node passes it on after a handover
 */
public record DeliverFrame(List<String> to, PeerEvent event, String origin, boolean forwarded) {
  /** This frame as a buffer of its own (what a node before {@link DeliverFrameCodec} sent). */
  public Buffer encode() {
    Buffer out = Buffer.buffer(event.headBytes().length + 64 + 32 * to.size());
    encodeTo(out, origin.getBytes(StandardCharsets.UTF_8));
    return out;
  }

  /** Appends this frame to {@code out}; {@code originBytes} is {@link #origin} in UTF-8. */
  void encodeTo(Buffer out, byte[] originBytes) {
    byte[] head = event.headBytes();
    out.appendByte((byte) (forwarded ? 1 : 0));
    appendStr(out, originBytes);
    out.appendUnsignedShort(to.size());
    for (String id : to) {
      appendStr(out, id.getBytes(StandardCharsets.UTF_8));
    }
    appendStr(out, TypeNames.bytes(event.type()));
    appendStr(out, head);
  }

  /** A str of the layout: u32 byte length, then the bytes. */
  private static void appendStr(Buffer out, byte[] bytes) {
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  public static DeliverFrame decode(Buffer in) {
    return decode(in, 0, null);
  }

  /**
   * Reads a frame at {@code pos} of {@code in}; origins found in {@code origins} (when given) are
   * not decoded again.
   */
  static DeliverFrame decode(Buffer in, int pos, NodeIdCache origins) {
    Reader r = new Reader(in, pos);
    boolean forwarded = r.u8() != 0;
    String origin = r.string(origins);
    int count = r.u16();
    List<String> to;
    if (count == 1) {
      to = List.of(r.string(null));
    } else {
      to = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        to.add(r.string(null));
      }
    }
    String type = r.type();
    byte[] head = r.bytes();
    return new DeliverFrame(to, new PeerEvent(type, head), origin, forwarded);
  }

  /** The wire types a node relays, so their names are neither encoded nor decoded per message. */
  private static final class TypeNames {
    private static final String[] NAMES = {"signal", "broadcast", "peer-joined", "peer-left"};
    private static final byte[][] BYTES = new byte[NAMES.length][];

    static {
      for (int i = 0; i < NAMES.length; i++) {
        BYTES[i] = NAMES[i].getBytes(StandardCharsets.UTF_8);
      }
    }

    static byte[] bytes(String type) {
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(type)) {
          return BYTES[i];
        }
      }
      return type.getBytes(StandardCharsets.UTF_8);
    }

    static String name(Buffer in, int pos, int length) {
      for (int i = 0; i < NAMES.length; i++) {
        if (NodeIdCache.sameBytes(in, pos, length, BYTES[i])) {
          return NAMES[i];
        }
      }
      return in.getString(pos, pos + length, "UTF-8");
    }
  }

  private static final class Reader {
    private final Buffer in;
    private int pos;

    Reader(Buffer in, int pos) {
      this.in = in;
      this.pos = pos;
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

    String type() {
      int length = in.getInt(pos);
      String s = TypeNames.name(in, pos + 4, length);
      pos += 4 + length;
      return s;
    }

    String string(NodeIdCache cache) {
      int length = in.getInt(pos);
      String s =
          cache != null
              ? cache.get(in, pos + 4, length)
              : in.getString(pos + 4, pos + 4 + length, "UTF-8");
      pos += 4 + length;
      return s;
    }
  }
}
