package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/** Every error code of PROTOCOL.md, and abuse that must not hurt other sockets. */
class ProtocolErrorsTest extends ClusterTestBase {
  static final int MAX_PEERS = 3;

  @BeforeAll
  static void start() {
    startCluster(1, Map.of("MAX_PEERS_PER_ROOM", String.valueOf(MAX_PEERS)));
  }

  private WsClient connect() {
    return WsClient.connect(clientVertx, cluster.port(0));
  }

  @Test
  void badJson() {
    try (WsClient c = connect()) {
      c.sendText("{not json");
      c.error("bad-json");
      c.sendText("[1,2]");
      c.error("bad-json");
      c.join(Ids.randomId()); // the socket stays usable
    }
  }

  @Test
  void badMessage() {
    try (WsClient c = connect()) {
      c.send(new JsonObject().put("type", "dance"));
      c.error("bad-message");
      c.send(new JsonObject().put("no", "type"));
      c.error("bad-message");
      c.send(new JsonObject().put("type", "join").put("v", 1).put("room", "short"));
      c.error("bad-message");
      c.send(
          new JsonObject()
              .put("type", "join")
              .put("v", 1)
              .put("room", "bad room id with spaces!!"));
      c.error("bad-message");
      c.send(
          new JsonObject()
              .put("type", "join")
              .put("v", 1)
              .put("room", Ids.randomId())
              .put("meta", new JsonObject().put("x", "y".repeat(1100))));
      c.error("bad-message");
      c.send(new JsonObject().put("type", "ping"));
      c.error("bad-message");
      c.join(Ids.randomId());
      c.send(new JsonObject().put("type", "signal").put("to", "x").put("data", 1));
      c.error("bad-message");
      c.send(new JsonObject().put("type", "broadcast"));
      c.error("bad-message");
    }
  }

  @Test
  void notJoinedAlreadyJoinedUnknownPeer() {
    try (WsClient c = connect()) {
      c.send(new JsonObject().put("type", "signal").put("to", Ids.randomId()).put("data", 1));
      c.error("not-joined");
      c.send(new JsonObject().put("type", "broadcast").put("data", 1));
      c.error("not-joined");
      c.send(new JsonObject().put("type", "leave"));
      c.error("not-joined");
      String room = Ids.randomId();
      c.join(room);
      c.send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
      JsonObject e = c.error("already-joined");
      assertEquals("join", e.getString("ref"));
      c.send(new JsonObject().put("type", "signal").put("to", Ids.randomId()).put("data", 1));
      c.error("unknown-peer");
      try (WsClient other = connect()) {
        // a peer of another room is unknown here too
        String otherId = other.join(Ids.randomId()).getString("peerId");
        c.send(new JsonObject().put("type", "signal").put("to", otherId).put("data", 1));
        c.error("unknown-peer");
      }
    }
  }

  @Test
  void roomFullClosesTheSocket() {
    String room = Ids.randomId();
    WsClient[] members = new WsClient[MAX_PEERS];
    try {
      for (int i = 0; i < MAX_PEERS; i++) {
        members[i] = connect();
        members[i].join(room);
      }
      try (WsClient extra = connect()) {
        extra.send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
        extra.error("room-full");
        assertEquals(1008, extra.awaitClose());
      }
    } finally {
      for (WsClient m : members) {
        if (m != null) {
          m.close();
        }
      }
    }
  }

  @Test
  void unsupportedVersionCloses() {
    try (WsClient c = connect()) {
      c.send(new JsonObject().put("type", "join").put("v", 2).put("room", Ids.randomId()));
      c.error("unsupported-version");
      c.awaitClose();
    }
  }

  @Test
  void tooLargeFrameIsRefusedWith1009() {
    try (WsClient c = connect()) {
      c.sendText(
          new JsonObject().put("type", "broadcast").put("data", "x".repeat(70_000)).encode());
      c.error("too-large");
      assertEquals(1009, c.awaitClose());
    }
    try (WsClient huge = connect()) {
      // Past what the decoder accepts at all: cut by the WebSocket layer, also with 1009.
      huge.sendText("x".repeat(300_000));
      assertEquals(1009, huge.awaitClose());
    }
  }

  @Test
  void invalidUtf8ClosesOnlyThatSocket() throws Exception {
    try (WsClient good = connect();
        java.net.Socket bad = new java.net.Socket("127.0.0.1", cluster.port(0))) {
      good.join(Ids.randomId());
      RawWebSocket.handshake(bad);
      RawWebSocket.writeFrame(
          bad.getOutputStream(), 0x1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertEquals(
          1007, RawWebSocket.readCloseCode(bad.getInputStream()), "invalid UTF-8: close 1007");
      good.send(new JsonObject().put("type", "ping").put("t", 1));
      good.next("pong");
    }
  }

  @Test
  void floodFromOneSocketIsRateLimitedOthersUnaffected() {
    String room = Ids.randomId();
    try (WsClient flooder = connect();
        WsClient calm = connect();
        WsClient listener = connect()) {
      flooder.join(room);
      String calmId = calm.join(room).getString("peerId");
      String listenerId = listener.join(room).getString("peerId");
      for (int i = 0; i < 3_000; i++) {
        flooder.send(new JsonObject().put("type", "ping").put("t", i));
      }
      flooder.error("rate-limited");
      calm.send(
          new JsonObject().put("type", "signal").put("to", listenerId).put("data", "still fine"));
      JsonObject m = listener.next(x -> "signal".equals(x.getString("type")), "calm's signal");
      assertEquals(calmId, m.getString("from"));
      assertTrue(calm.drain().stream().noneMatch(x -> "error".equals(x.getString("type"))));
    }
  }

  @Test
  void foreignOriginIsRefusedWith403SameHostAndNoOriginAccepted() {
    WebSocketClient client = clientVertx.createWebSocketClient();
    WebSocketConnectOptions foreign =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(cluster.port(0))
            .setURI("/ws")
            .addHeader("Origin", "https://evil.example");
    Throwable failure =
        client
            .connect(foreign)
            .toCompletionStage()
            .toCompletableFuture()
            .handle((ws, e) -> e)
            .join();
    assertTrue(
        failure != null && failure.getMessage().contains("403"),
        "foreign Origin gets 403: " + failure);
    try (WsClient sameHost =
        WsClient.connect(clientVertx, cluster.port(0), "http://127.0.0.1:8080")) {
      sameHost.join(Ids.randomId());
    }
  }

  @Test
  void readerThatNeverReadsIsClosedAndTheNodeStaysHealthy() throws Exception {
    String room = Ids.randomId();
    try (WsClient sender = connect();
        java.net.Socket raw = new java.net.Socket("127.0.0.1", cluster.port(0))) {
      raw.setReceiveBufferSize(4096);
      sender.join(room);
      RawWebSocket.handshakeAndJoin(raw, room);
      sender.next("peer-joined");
      String big = "y".repeat(60_000);
      // Rate limit permits a burst of 1,000; each broadcast queues 60 KB for the silent reader.
      for (int i = 0; i < 900 && !sender.closed(); i++) {
        sender.send(new JsonObject().put("type", "broadcast").put("data", big));
        if (i % 50 == 49) {
          sender.send(new JsonObject().put("type", "ping").put("t", i));
          sender.next("pong");
          if (cluster
                  .node(0)
                  .runtime()
                  .registry()
                  .find("p2p_slow_consumers_closed")
                  .counter()
                  .count()
              > 0) {
            break;
          }
        }
      }
      assertTrue(
          cluster.node(0).runtime().registry().find("p2p_slow_consumers_closed").counter().count()
              >= 1,
          "the silent reader was closed");
      // The sender, on the same node, is unaffected.
      sender.send(new JsonObject().put("type", "ping").put("t", -1));
      sender.next("pong");
      assertFalse(sender.closed());
    }
  }
}
