package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/** A member that dies abruptly: its peers leave everyone else's rooms within the budget. */
class NodeDeathTest extends ClusterTestBase {
  static final long BUDGET_MS = 15_000;

  @BeforeAll
  static void start() {
    startCluster(3, Map.of("RESUME_WINDOW_S", "20"));
  }

  @Test
  void crashedNodesPeersGetPeerLeftWithinBudgetAndCanResumeUnrecovered() {
    String room = Ids.randomId();
    try (WsClient survivor = WsClient.connect(clientVertx, cluster.port(0));
        WsClient doomed1 = WsClient.connect(clientVertx, cluster.port(2));
        WsClient doomed2 = WsClient.connect(clientVertx, cluster.port(2))) {
      survivor.join(room);
      JsonObject w1 = doomed1.join(room);
      JsonObject w2 = doomed2.join(room);
      Set<String> doomedIds = Set.of(w1.getString("peerId"), w2.getString("peerId"));
      survivor.next("peer-joined");
      survivor.next("peer-joined");

      long killedAt = System.nanoTime();
      cluster.crash(2);
      Set<String> left = new HashSet<>();
      while (left.size() < 2) {
        left.add(survivor.next("peer-left").getString("peerId"));
      }
      long elapsedMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertEquals(doomedIds, left);
      assertTrue(elapsedMs < BUDGET_MS, "peer-left after " + elapsedMs + " ms");
      System.out.println("node death -> peer-left: " + elapsedMs + " ms");

      // A peer of the dead node resumes elsewhere: same id, recovered:false, the others see it join
      // again.
      try (WsClient back = WsClient.connect(clientVertx, cluster.port(1))) {
        back.send(
            new JsonObject()
                .put("type", "join")
                .put("v", 1)
                .put("room", room)
                .put("resume", w1.getString("resume"))
                .put("lastSeq", 2));
        JsonObject welcome = back.next("welcome");
        assertEquals(w1.getString("peerId"), welcome.getString("peerId"));
        assertFalse(welcome.getBoolean("recovered"));
        JsonObject again = survivor.next("peer-joined");
        assertEquals(w1.getString("peerId"), again.getJsonObject("peer").getString("id"));
        // Its counter continues after the lastSeq it reported.
        survivor.send(
            new JsonObject()
                .put("type", "signal")
                .put("to", w1.getString("peerId"))
                .put("data", "hi"));
        // (A node that notices the death only now may first send peer-left for the other dead
        // peer: every numbered message still continues the counter by one.)
        long expected = 3;
        JsonObject m;
        do {
          m = back.next(x -> x.containsKey("seq"), "a numbered message");
          assertEquals(expected++, m.getLong("seq"), m.encode());
        } while (!"signal".equals(m.getString("type")));
        assertEquals("hi", m.getString("data"));
      }
    }
  }
}
