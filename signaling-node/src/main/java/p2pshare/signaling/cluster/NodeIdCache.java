package p2pshare.signaling.cluster;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The few node ids a node hears from, kept decoded: every relayed message between nodes names its
 * origin node, and a cluster has a handful of them, so decoding the name each time is garbage only.
 * Bounded ({@link #MAX_ENTRIES}); past that, names are decoded as usual. Safe from any thread: the
 * entries are an immutable array replaced as a whole.
 */
final class NodeIdCache {
  /** Node ids remembered; a cluster larger than this decodes the others per message. */
  static final int MAX_ENTRIES = 32;

  private record Entry(byte[] bytes, String id) {}

  private volatile Entry[] entries = new Entry[0];

  String get(Buffer in, int pos, int length) {
    Entry[] now = entries;
    for (Entry e : now) {
      if (sameBytes(in, pos, length, e.bytes)) {
        return e.id;
      }
    }
    String id = in.getString(pos, pos + length, "UTF-8");
    if (now.length < MAX_ENTRIES) {
      remember(id);
    }
    return id;
  }

  private synchronized void remember(String id) {
    Entry[] now = entries;
    for (Entry e : now) {
      if (e.id.equals(id)) {
        return;
      }
    }
    if (now.length >= MAX_ENTRIES) {
      return;
    }
    Entry[] next = java.util.Arrays.copyOf(now, now.length + 1);
    next[now.length] = new Entry(id.getBytes(StandardCharsets.UTF_8), id);
    entries = next;
  }

  static boolean sameBytes(Buffer in, int pos, int length, byte[] bytes) {
    if (bytes.length != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (in.getByte(pos + i) != bytes[i]) {
        return false;
      }
    }
    return true;
  }
}
