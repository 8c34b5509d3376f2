package p2pshare.signaling.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent seq-numbered messages sent to one peer, bounded by count and by bytes, so a
 * resume can replay what a dropped (or silently dead) socket missed. Every entry is copied into one
 * pooled direct buffer per peer ({@code seq, length, bytes}, oldest first): the ring holds no
 * object per message, so nothing of it lives in the young generation or is copied by a young
 * collection, however long a message stays. A peer that got nothing holds no buffer. Used on the
 * peer's event loop only; {@link #clear()} when the peer ends.
 */
public final class ReplayRing {
  public static final int MAX_MESSAGES = 64;
  public static final int MAX_BYTES = 64 * 1024;

  private static final int HEADER = Long.BYTES + Integer.BYTES;
  private static final int INITIAL_CAPACITY = 1024;

  /** Entries from its reader index (the oldest) to its writer index; null while empty. */
  private ByteBuf store;

  private int count;
  private int bytes;
  private long lastSeq;

  /** Keeps a copy of the readable bytes of {@code frame}, dropping the oldest past a bound. */
  public void add(long seq, ByteBuf frame) {
    int length = frame.readableBytes();
    lastSeq = seq;
    while (count > 0 && (count + 1 > MAX_MESSAGES || bytes + length > MAX_BYTES)) {
      dropOldest();
    }
    if (store == null) {
      store =
          PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(INITIAL_CAPACITY, HEADER + length));
    } else if (store.writableBytes() < HEADER + length) {
      store.discardReadBytes();
      store.ensureWritable(HEADER + length);
    }
    store.writeLong(seq).writeInt(length).writeBytes(frame, frame.readerIndex(), length);
    count++;
    bytes += length;
  }

  public void add(long seq, String text) {
    ByteBuf frame = PooledByteBufAllocator.DEFAULT.heapBuffer(ByteBufUtil.utf8MaxBytes(text));
    try {
      ByteBufUtil.writeUtf8(frame, text);
      add(seq, frame);
    } finally {
      frame.release();
    }
  }

  private void dropOldest() {
    store.skipBytes(Long.BYTES);
    int length = store.readInt();
    store.skipBytes(length);
    count--;
    bytes -= length;
  }

  public long lastSeq() {
    return lastSeq;
  }

  /** The held messages with seq greater than {@code after}, in order. */
  public List<String> after(long after) {
    List<String> out = new ArrayList<>();
    forEach(
        (seq, text) -> {
          if (seq > after) {
            out.add(text);
          }
        });
    return out;
  }

  /** True if every message with seq greater than {@code after} is still held. */
  public boolean holdsAllAfter(long after) {
    if (after >= lastSeq) {
      return true;
    }
    return count > 0 && store.getLong(store.readerIndex()) <= after + 1;
  }

  /** Every held message, oldest first, for a handover to another node. */
  public JsonArray toJson() {
    JsonArray out = new JsonArray();
    forEach((seq, text) -> out.add(text));
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

  /** Releases the buffer (the peer is gone). */
  public void clear() {
    if (store != null) {
      store.release();
      store = null;
    }
    count = 0;
    bytes = 0;
  }

  private interface Entry {
    void accept(long seq, String text);
  }

  private void forEach(Entry entry) {
    if (store == null) {
      return;
    }
    int at = store.readerIndex();
    for (int i = 0; i < count; i++) {
      long seq = store.getLong(at);
      int length = store.getInt(at + Long.BYTES);
      entry.accept(seq, store.toString(at + HEADER, length, StandardCharsets.UTF_8));
      at += HEADER + length;
    }
  }
}
