package p2pshare.signaling.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A validated JSON value as the exact UTF-8 bytes a client sent: a slice of its frame, relayed
 * without being decoded into a String or rebuilt. Consumed while the frame is being handled.
 */
public record JsonText(byte[] bytes, int offset, int length) {
  public static JsonText of(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return new JsonText(b, 0, b.length);
  }

  public boolean startsWith(char c) {
    return length > 0 && bytes[offset] == c;
  }

  /** The JSON text (decoded only where a String is needed: meta, tests). */
  @Override
  public String toString() {
    return new String(bytes, offset, length, StandardCharsets.UTF_8);
  }
}
