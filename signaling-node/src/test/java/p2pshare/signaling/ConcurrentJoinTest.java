package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/**
 * Many rooms whose peers all join at the same moment, spread over two nodes: every ordered pair of
 * a room learns of each other exactly once (welcome.peers or peer-joined), and every peer can
 * signal every other one.
 */
class ConcurrentJoinTest extends ClusterTestBase {
  static final int ROOMS = 20;
  static final int MIN_PEERS = 4;
  static final int MAX_PEERS = 6;
  static final long CONVERGE_MS = 15_000;

  @BeforeAll
  static void start() {
    startCluster(2, Map.of());
  }

  /** One client of the trial, with what it has been told so far. */
  static final class Peer {
    final WsClient client;
    final int room;
    String id;
    final List<String> learned = new ArrayList<>();
    final Set<String> signalledBy = new HashSet<>();
    final List<JsonObject> errors = new ArrayList<>();
    boolean ponged;

    Peer(WsClient client, int room) {
      this.client = client;
      this.room = room;
    }

    /** Takes every frame received so far into account; returns false once the socket closed. */
    void absorb() {
      for (JsonObject m : client.drain()) {
        switch (m.getString("type")) {
          case "welcome" -> {
            id = m.getString("peerId");
            assertFalse(m.getBoolean("recovered"), "a fresh join has recovered:false");
            m.getJsonArray("peers").forEach(p -> learned.add(((JsonObject) p).getString("id")));
          }
          case "peer-joined" -> learned.add(m.getJsonObject("peer").getString("id"));
          case "signal" -> signalledBy.add(m.getString("from"));
          case "error" -> errors.add(m);
          case "pong" -> ponged = true;
          default -> {}
        }
      }
    }
  }

  @RepeatedTest(value = 5, name = "trial {currentRepetition} of {totalRepetitions}")
  void peersJoiningAtOnceOverTwoNodesLearnOfEachOtherExactlyOnce() {
    List<String> roomIds = new ArrayList<>();
    List<Peer> peers = new ArrayList<>();
    try {
      for (int r = 0; r < ROOMS; r++) {
        roomIds.add(Ids.randomId());
        int size = MIN_PEERS + r % (MAX_PEERS - MIN_PEERS + 1);
        for (int i = 0; i < size; i++) {
          peers.add(new Peer(WsClient.connect(clientVertx, cluster.port(i % 2)), r));
        }
      }
      // Every join is on the wire before the first welcome can come back.
      for (Peer p : peers) {
        p.client.send(
            new JsonObject().put("type", "join").put("v", 1).put("room", roomIds.get(p.room)));
      }
      Map<Integer, List<Peer>> byRoom = new HashMap<>();
      peers.forEach(p -> byRoom.computeIfAbsent(p.room, r -> new ArrayList<>()).add(p));

      awaitCondition(
          peers,
          () ->
              peers.stream()
                  .allMatch(p -> p.id != null && p.learned.size() >= byRoom.get(p.room).size() - 1),
          "every peer learned of every other peer of its room");

      // Every peer signals every other peer of its room: none may be unknown to its node.
      for (Peer p : peers) {
        for (Peer q : byRoom.get(p.room)) {
          if (q != p) {
            p.client.send(
                new JsonObject().put("type", "signal").put("to", q.id).put("data", "probe"));
          }
        }
      }
      awaitCondition(
          peers,
          () ->
              peers.stream()
                  .allMatch(
                      p ->
                          !p.errors.isEmpty()
                              || p.signalledBy.size() >= byRoom.get(p.room).size() - 1),
          "every probe signal arrived");

      // A marker through every socket: anything queued before it (a late duplicate) is seen.
      peers.forEach(p -> p.client.send(new JsonObject().put("type", "ping").put("t", 1)));
      awaitCondition(peers, () -> peers.stream().allMatch(p -> p.ponged), "every pong");

      int badPairs = 0;
      List<String> report = new ArrayList<>();
      for (Peer p : peers) {
        Set<String> expected = new HashSet<>();
        byRoom.get(p.room).forEach(q -> expected.add(q.id));
        expected.remove(p.id);
        Set<String> learnedOnce = new HashSet<>(p.learned);
        for (String other : expected) {
          long times = p.learned.stream().filter(other::equals).count();
          if (times != 1) {
            badPairs++;
            report.add("room " + p.room + ": learned of a peer " + times + " times");
          }
        }
        assertTrue(expected.containsAll(learnedOnce), "told of a stranger: " + p.learned);
        assertEquals(List.of(), p.errors, "errors to peer of room " + p.room);
        assertEquals(
            expected, p.signalledBy, "probe signals that reached a peer of room " + p.room);
      }
      assertEquals(0, badPairs, String.join("\n", report));
    } finally {
      peers.forEach(p -> p.client.close());
    }
  }

  @Test
  void aFreshJoinRestoresNoSession() {
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0))) {
      JsonObject welcome = a.join(Ids.randomId());
      assertFalse(welcome.getBoolean("recovered"), welcome.encode());
    }
  }

  /** Polls every client until {@code done} holds, failing with {@code what} at the deadline. */
  private static void awaitCondition(
      List<Peer> peers, java.util.function.BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONVERGE_MS);
    while (true) {
      peers.forEach(Peer::absorb);
      if (done.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        long missing =
            peers.stream()
                .filter(
                    p ->
                        p.id == null
                            || p.learned.size()
                                < peers.stream().filter(q -> q.room == p.room).count() - 1)
                .count();
        throw new AssertionError(
            "not within " + CONVERGE_MS + " ms: " + what + " (" + missing + " peers short)");
      }
      try {
        Thread.sleep(20); // polling interval of a condition with a deadline, not a fixed wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
