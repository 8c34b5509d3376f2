package p2pshare.signaling.peer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent seq-numbered messages sent to one peer, bounded by count and by bytes, so a
 * resume can replay what a dropped (or silently dead) socket missed.
 */
public final class ReplayRing {
  public static final int MAX_MESSAGES = 64;
  public static final int MAX_BYTES = 64 * 1024;

  private record Held(long seq, String text) {}

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private int bytes;
  private long lastSeq;

  public void add(long seq, String text) {
    held.addLast(new Held(seq, text));
    bytes += text.length();
    lastSeq = seq;
    while (held.size() > MAX_MESSAGES || (bytes > MAX_BYTES && held.size() > 1)) {
      bytes -= held.removeFirst().text().length();
    }
  }

  public long lastSeq() {
    return lastSeq;
  }

  /** The held messages with seq greater than {@code after}, in order. */
  public List<String> after(long after) {
    List<String> out = new ArrayList<>();
    for (Held h : held) {
      if (h.seq() > after) {
        out.add(h.text());
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
    held.forEach(h -> out.add(h.text()));
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
}
