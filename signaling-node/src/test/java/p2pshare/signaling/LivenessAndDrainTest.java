package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/**
 * The idle timeout (pongs count as traffic) and drain: reconnect to every socket, then draining.
 */
class LivenessAndDrainTest extends ClusterTestBase {
  static final int IDLE_S = 2;

  @BeforeAll
  static void start() {
    startCluster(2, Map.of("IDLE_TIMEOUT_S", String.valueOf(IDLE_S)));
  }

  @Test
  void silentSocketIsClosedAfterIdleTimeoutWhileAPongingOneStays() throws Exception {
    String room = Ids.randomId();
    try (WsClient live = WsClient.connect(clientVertx, cluster.port(0));
        Socket silent = new Socket("127.0.0.1", cluster.port(0))) {
      String liveId = live.join(room).getString("peerId");
      RawWebSocket.handshakeAndJoin(silent, room);
      String silentId = live.next("peer-joined").getJsonObject("peer").getString("id");
      long start = System.nanoTime();
      // The raw socket never answers the node's pings: it is closed, then handled as a drop.
      silent.setSoTimeout(IDLE_S * 5_000);
      // Reads the node's ping frames until the node closes the connection (EOF).
      silent.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      long closedAfterMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closedAfterMs >= IDLE_S * 1000L - 500, "closed after " + closedAfterMs + " ms");
      // The Vert.x client answers pings by itself: still open and served.
      live.send(new JsonObject().put("type", "ping").put("t", 1));
      live.next("pong");
      assertFalse(live.closed());
      assertTrue(silentId.length() == 22 && !silentId.equals(liveId));
    }
  }

  @Test
  void drainSendsReconnectToEverySocketAndRefusesJoins() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(1));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1));
        WsClient late = WsClient.connect(clientVertx, cluster.port(1))) {
      a.join(room);
      b.join(room);
      cluster.node(1).drain();
      assertEquals("draining", a.next("reconnect").getString("reason"));
      assertEquals("draining", b.next("reconnect").getString("reason"));
      assertFalse(cluster.node(1).ready(), "readiness goes false");
      late.send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
      late.error("draining");
      assertEquals(1001, late.awaitClose());
    }
  }
}
