package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/** Resume tokens, the replay ring and handover between nodes (PROTOCOL.md "resume"). */
class ResumeTest extends ClusterTestBase {
  static final int WINDOW_S = 3;

  @BeforeAll
  static void start() {
    startCluster(2, Map.of("RESUME_WINDOW_S", String.valueOf(WINDOW_S)));
  }

  private static JsonObject resumeJoin(String room, String token, Long lastSeq) {
    JsonObject join =
        new JsonObject().put("type", "join").put("v", 1).put("room", room).put("resume", token);
    if (lastSeq != null) {
      join.put("lastSeq", lastSeq);
    }
    return join;
  }

  /** The node's p2p_connections gauge (open WebSockets), read from its Prometheus scrape. */
  private static long openConnections(int node) {
    for (String line : cluster.node(node).scrapeMetrics().split("\n")) {
      if (line.startsWith("p2p_connections")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no p2p_connections in the node's metrics");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      try {
        Thread.sleep(10); // polling interval of a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void resumeOnTheOtherNodeReplaysSignalsHeldWhileAwayInOrder() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(0))) {
      JsonObject welcomeA = a.join(room);
      String idA = welcomeA.getString("peerId");
      b.join(room);
      assertEquals(1L, a.next("peer-joined").getLong("seq"));
      long open = openConnections(0);
      a.socket().close();
      a.awaitClose();
      // "Without lastSeq: every message sent while it was away" (PROTOCOL.md): away begins when
      // the node sees the close; a signal sent before that went to the closing socket.
      awaitTrue(() -> openConnections(0) < open, "node-1 saw a's socket close");
      for (int i = 0; i < 10; i++) {
        b.send(new JsonObject().put("type", "signal").put("to", idA).put("data", i));
      }
      // B's signals are accepted while A is away (no unknown-peer): prove it with a pong after
      // them.
      b.send(new JsonObject().put("type", "ping").put("t", 1));
      b.next("pong");
      assertTrue(b.drain().stream().noneMatch(m -> "error".equals(m.getString("type"))));

      try (WsClient a2 = WsClient.connect(clientVertx, cluster.port(1))) {
        a2.send(resumeJoin(room, welcomeA.getString("resume"), null));
        JsonObject welcome = a2.next("welcome");
        assertEquals(idA, welcome.getString("peerId"), "the peer keeps its id");
        assertEquals(cluster.nodeId(1), welcome.getString("node"));
        assertTrue(welcome.getBoolean("recovered"));
        assertNotEquals(welcomeA.getString("resume"), welcome.getString("resume"), "a fresh token");
        for (int i = 0; i < 10; i++) {
          JsonObject m = a2.next("signal");
          assertEquals(i, m.getInteger("data"));
          assertEquals(2L + i, m.getLong("seq"), "original seq continues across the resume");
        }
        // Live traffic after the resume goes to the new node and continues the counter.
        b.send(new JsonObject().put("type", "signal").put("to", idA).put("data", "live"));
        JsonObject live = a2.next("signal");
        assertEquals("live", live.getString("data"));
        assertEquals(12L, live.getLong("seq"));
        assertTrue(
            b.drain().stream().noneMatch(m -> "peer-left".equals(m.getString("type"))),
            "no peer-left during the window");
      }
    }
  }

  @Test
  void silentlyDeadSocketResumedWithLastSeqGetsEverySignalExactlyOnceInOrder() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      JsonObject welcomeA = a.join(room);
      String idA = welcomeA.getString("peerId");
      b.join(room);
      long processed = a.next("peer-joined").getLong("seq");
      for (int i = 0; i < 20; i++) {
        b.send(new JsonObject().put("type", "signal").put("to", idA).put("data", i));
      }
      // The client processed only the first 5; the rest "were lost" on a socket the server still
      // thinks is alive (it is never closed here).
      for (int i = 0; i < 5; i++) {
        processed = a.next("signal").getLong("seq");
      }
      try (WsClient a2 = WsClient.connect(clientVertx, cluster.port(1))) {
        a2.send(resumeJoin(room, welcomeA.getString("resume"), processed));
        JsonObject welcome = a2.next("welcome");
        assertTrue(welcome.getBoolean("recovered"));
        for (int i = 5; i < 20; i++) {
          JsonObject m = a2.next("signal");
          assertEquals(i, m.getInteger("data"), "in order, nothing skipped");
          assertEquals(processed + 1, m.getLong("seq"), "nothing duplicated");
          processed = m.getLong("seq");
        }
        assertEquals(
            4000, a.awaitClose(), "the old socket is closed once the peer resumed elsewhere");
        a2.send(new JsonObject().put("type", "ping").put("t", 7));
        a2.next("pong");
        assertTrue(
            a2.drain().stream().noneMatch(m -> "signal".equals(m.getString("type"))),
            "no duplicate after the replay");
      }
    }
  }

  @Test
  void resumeOnTheSameNodeWorksToo() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      JsonObject welcomeA = a.join(room);
      b.join(room);
      a.next("peer-joined");
      a.socket().close();
      a.awaitClose();
      b.send(new JsonObject().put("type", "broadcast").put("data", "while-away"));
      try (WsClient a2 = WsClient.connect(clientVertx, cluster.port(0))) {
        a2.send(resumeJoin(room, welcomeA.getString("resume"), 1L));
        JsonObject welcome = a2.next("welcome");
        assertTrue(welcome.getBoolean("recovered"));
        assertEquals(1, welcome.getJsonArray("peers").size());
        JsonObject m = a2.next("broadcast");
        assertEquals("while-away", m.getString("data"));
        assertEquals(2L, m.getLong("seq"));
      }
    }
  }

  @Test
  void reusedForgedAndExpiredTokensAreRefusedWithBadResume() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient other = WsClient.connect(clientVertx, cluster.port(1))) {
      JsonObject welcomeA = a.join(room);
      other.join(room);
      String firstToken = welcomeA.getString("resume");
      a.socket().close();
      a.awaitClose();
      try (WsClient a2 = WsClient.connect(clientVertx, cluster.port(1))) {
        a2.send(resumeJoin(room, firstToken, null));
        JsonObject welcome = a2.next("welcome");
        // Reused: the token was single-use.
        try (WsClient thief = WsClient.connect(clientVertx, cluster.port(0))) {
          thief.send(resumeJoin(room, firstToken, null));
          thief.error("bad-resume");
          // Forged: a random token of the right shape.
          thief.send(resumeJoin(room, Ids.randomId(), null));
          thief.error("bad-resume");
          // The socket stays open and a fresh join works.
          JsonObject fresh = thief.join(room);
          assertNotEquals(welcome.getString("peerId"), fresh.getString("peerId"));
        }
        // Expired: the window passes while the peer is away.
        String token = welcome.getString("resume");
        a2.socket().close();
        a2.awaitClose();
        JsonObject left =
            other.next(
                m ->
                    "peer-left".equals(m.getString("type"))
                        && welcomeA.getString("peerId").equals(m.getString("peerId")),
                "peer-left after the window");
        assertFalse(left.isEmpty());
        try (WsClient late = WsClient.connect(clientVertx, cluster.port(0))) {
          late.send(resumeJoin(room, token, null));
          late.error("bad-resume");
        }
      }
    }
  }
}
