package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import p2pshare.signaling.peer.ReplayRing;

class ReplayRingTest {
  private static String msg(long seq, int size) {
    return new JsonObject()
        .put("type", "signal")
        .put("data", "x".repeat(size))
        .put("seq", seq)
        .encode();
  }

  @Test
  void keepsTheLast64MessagesAndKnowsWhatIsMissing() {
    ReplayRing ring = new ReplayRing();
    for (long s = 1; s <= 100; s++) {
      ring.add(s, msg(s, 10));
    }
    assertEquals(ReplayRing.MAX_MESSAGES, ring.after(0).size());
    assertTrue(ring.holdsAllAfter(100 - ReplayRing.MAX_MESSAGES));
    assertFalse(ring.holdsAllAfter(100 - ReplayRing.MAX_MESSAGES - 1));
    assertEquals(3, ring.after(97).size());
    assertTrue(ring.holdsAllAfter(100));
  }

  @Test
  void isBoundedByBytesToo() {
    ReplayRing ring = new ReplayRing();
    for (long s = 1; s <= 10; s++) {
      ring.add(s, msg(s, 20_000));
    }
    int bytes = ring.after(0).stream().mapToInt(String::length).sum();
    assertTrue(bytes <= ReplayRing.MAX_BYTES, "held " + bytes);
    assertFalse(ring.holdsAllAfter(0));
  }

  @Test
  void restoresFromAHandover() {
    ReplayRing old = new ReplayRing();
    for (long s = 1; s <= 5; s++) {
      old.add(s, msg(s, 1));
    }
    ReplayRing moved = new ReplayRing();
    moved.restore(5, old.toJson());
    assertEquals(old.after(2), moved.after(2));
    assertEquals(5, moved.lastSeq());
  }

  @Test
  void keepsOrderAndContentAcrossManyCompactions() {
    ReplayRing ring = new ReplayRing();
    java.util.List<String> sent = new java.util.ArrayList<>();
    for (long s = 1; s <= 2_000; s++) {
      String m = msg(s, (int) (s * 37 % 3_000));
      sent.add(m);
      ring.add(s, m);
    }
    java.util.List<String> held = ring.after(0);
    assertEquals(sent.subList(sent.size() - held.size(), sent.size()), held);
    assertTrue(held.stream().mapToInt(String::length).sum() <= ReplayRing.MAX_BYTES);
    assertEquals(sent.subList(1_990, 2_000), ring.after(1_990));
    ring.clear();
    assertEquals(0, ring.after(0).size());
  }
}
