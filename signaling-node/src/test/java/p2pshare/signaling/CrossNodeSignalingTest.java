package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/** Peers on two different nodes of a real two-member cluster signal each other. */
class CrossNodeSignalingTest extends ClusterTestBase {

  @BeforeAll
  static void start() {
    startCluster(2, Map.of());
  }

  @ParameterizedTest(name = "A on node {0}, B on node {1}")
  @CsvSource({"0, 1", "0, 0"})
  void welcomePeerJoinedSignalBroadcastPingAndLeave(int nodeA, int nodeB) {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(nodeA));
        WsClient b = WsClient.connect(clientVertx, cluster.port(nodeB))) {
      a.send(
          new JsonObject()
              .put("type", "join")
              .put("v", 1)
              .put("room", room)
              .put("meta", new JsonObject().put("name", "A")));
      JsonObject welcomeA = a.next("welcome");
      assertEquals(1, welcomeA.getInteger("v"));
      assertEquals(room, welcomeA.getString("room"));
      assertEquals(cluster.nodeId(nodeA), welcomeA.getString("node"));
      assertEquals(0, welcomeA.getJsonArray("peers").size());
      assertEquals(22, welcomeA.getString("peerId").length());
      assertNotNull(welcomeA.getString("resume"));
      assertFalse(welcomeA.getBoolean("recovered"), "a fresh join restores no session");
      assertEquals(new JsonArray(), welcomeA.getJsonArray("iceServers"));

      JsonObject welcomeB = b.join(room);
      assertEquals(cluster.nodeId(nodeB), welcomeB.getString("node"));
      JsonArray peers = welcomeB.getJsonArray("peers");
      assertEquals(1, peers.size());
      assertEquals(welcomeA.getString("peerId"), peers.getJsonObject(0).getString("id"));
      assertEquals("A", peers.getJsonObject(0).getJsonObject("meta").getString("name"));

      JsonObject joined = a.next("peer-joined");
      assertEquals(welcomeB.getString("peerId"), joined.getJsonObject("peer").getString("id"));
      assertEquals(1L, joined.getLong("seq"));

      String idA = welcomeA.getString("peerId");
      String idB = welcomeB.getString("peerId");
      b.send(
          new JsonObject()
              .put("type", "signal")
              .put("to", idA)
              .put("from", "forged-from-value-xx")
              .put("data", new JsonObject().put("sdp", "offer")));
      JsonObject signal = a.next("signal");
      assertEquals(idB, signal.getString("from"), "from is set by the node, never by the sender");
      assertEquals("offer", signal.getJsonObject("data").getString("sdp"));
      assertEquals(2L, signal.getLong("seq"));

      a.send(new JsonObject().put("type", "broadcast").put("data", List.of(1, 2, 3)));
      JsonObject broadcast = b.next("broadcast");
      assertEquals(idA, broadcast.getString("from"));
      assertEquals(new JsonArray(List.of(1, 2, 3)), broadcast.getJsonArray("data"));
      assertEquals(1L, broadcast.getLong("seq"));

      b.send(new JsonObject().put("type", "ping").put("t", 42.5));
      assertEquals(42.5, b.next("pong").getDouble("t"));

      b.send(new JsonObject().put("type", "leave"));
      assertEquals(1000, b.awaitClose());
      JsonObject left = a.next("peer-left");
      assertEquals(idB, left.getString("peerId"));
      assertEquals(3L, left.getLong("seq"));
    }
  }

  @Test
  void thousandSignalsAcrossNodesArriveInOrder() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      String idA = a.join(room).getString("peerId");
      b.join(room);
      a.next("peer-joined");
      int count = 1000; // within the burst of 1,000 the rate limit allows
      for (int i = 0; i < count; i++) {
        b.send(new JsonObject().put("type", "signal").put("to", idA).put("data", i));
      }
      long lastSeq = 1;
      for (int i = 0; i < count; i++) {
        JsonObject m = a.next("signal");
        assertEquals(i, m.getInteger("data"), "signal " + i + " out of order");
        assertEquals(lastSeq + 1, m.getLong("seq"));
        lastSeq = m.getLong("seq");
      }
    }
  }

  @Test
  void fourPeersJoiningAtOnceOnTwoNodesLearnOfEachOtherExactlyOnce() throws Exception {
    String room = Ids.randomId();
    List<WsClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        clients.add(WsClient.connect(clientVertx, cluster.port(i % 2)));
      }
      for (WsClient c : clients) {
        c.send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
      }
      List<String> ids = new ArrayList<>();
      List<List<String>> known = new ArrayList<>();
      for (WsClient c : clients) {
        JsonObject welcome = c.next("welcome");
        ids.add(welcome.getString("peerId"));
        List<String> k = new ArrayList<>();
        welcome.getJsonArray("peers").forEach(p -> k.add(((JsonObject) p).getString("id")));
        known.add(k);
      }
      for (int i = 0; i < 4; i++) {
        WsClient c = clients.get(i);
        while (known.get(i).size() < 3) {
          known.get(i).add(c.next("peer-joined").getJsonObject("peer").getString("id"));
        }
        Set<String> expected = new HashSet<>(ids);
        expected.remove(ids.get(i));
        assertEquals(expected, new HashSet<>(known.get(i)), "peer " + i + " knows each other peer");
        assertEquals(3, known.get(i).size(), "peer " + i + " learned of each exactly once");
      }
      // A marker through every socket proves no late duplicate peer-joined is still queued.
      for (int i = 0; i < 4; i++) {
        clients.get(i).send(new JsonObject().put("type", "ping").put("t", i));
        WsClient c = clients.get(i);
        JsonObject m;
        while (!"pong".equals((m = c.nextAny()).getString("type"))) {
          assertFalse(
              "peer-joined".equals(m.getString("type")), "duplicate peer-joined " + m.encode());
        }
      }
    } finally {
      clients.forEach(WsClient::close);
    }
  }
}
