package p2pshare.signaling.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent seq-numbered messages sent to one peer, bounded by count and by bytes, so a
 * resume can replay what a dropped (or silently dead) socket missed. Entries are the very frames
 * that were written, in pooled direct buffers: nothing the young generation has to copy at every
 * collection. Used on the peer's event loop only; {@link #clear()} when the peer ends.
 */
public final class ReplayRing {
  public static final int MAX_MESSAGES = 64;
  public static final int MAX_BYTES = 64 * 1024;

  private record Held(long seq, ByteBuf frame) {}

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private int bytes;
  private long lastSeq;

  /** Keeps {@code frame} (takes over the caller's reference), dropping the oldest past a bound. */
  public void add(long seq, ByteBuf frame) {
    held.addLast(new Held(seq, frame));
    bytes += frame.readableBytes();
    lastSeq = seq;
    while (held.size() > MAX_MESSAGES || (bytes > MAX_BYTES && held.size() > 1)) {
      Held oldest = held.removeFirst();
      bytes -= oldest.frame().readableBytes();
      oldest.frame().release();
    }
  }

  public void add(long seq, String text) {
    ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(ByteBufUtil.utf8MaxBytes(text));
    ByteBufUtil.writeUtf8(frame, text);
    add(seq, frame);
  }

  public long lastSeq() {
    return lastSeq;
  }

  /** The held messages with seq greater than {@code after}, in order. */
  public List<String> after(long after) {
    List<String> out = new ArrayList<>();
    for (Held h : held) {
      if (h.seq() > after) {
        out.add(text(h));
      }
    }
    return out;
  }

  /** True if every message with seq greater than {@code after} is still held. */
  public boolean holdsAllAfter(long after) {
    if (after >= lastSeq) {
      return true;
    }
    return !held.isEmpty() && held.peekFirst().seq() <= after + 1;
  }

  /** Every held message, oldest first, for a handover to another node. */
  public JsonArray toJson() {
    JsonArray out = new JsonArray();
    held.forEach(h -> out.add(text(h)));
    return out;
  }

  /** Restores a ring handed over from another node; each text carries its own seq. */
  public void restore(long handedLastSeq, JsonArray texts) {
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.getString(i);
      add(new JsonObject(text).getLong("seq"), text);
    }
    lastSeq = handedLastSeq;
  }

  /** Releases every held frame (the peer is gone). */
  public void clear() {
    for (Held h : held) {
      h.frame().release();
    }
    held.clear();
    bytes = 0;
  }

  private static String text(Held h) {
    return h.frame()
        .toString(h.frame().readerIndex(), h.frame().readableBytes(), StandardCharsets.UTF_8);
  }
}
