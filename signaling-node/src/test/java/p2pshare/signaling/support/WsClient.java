package p2pshare.signaling.support;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test WebSocket client speaking PROTOCOL.md; received frames queue up for assertions. */
public final class WsClient implements AutoCloseable {
  public static final long WAIT_S = 20;

  private final WebSocket socket;
  private final LinkedBlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final java.util.concurrent.CompletableFuture<Short> closed =
      new java.util.concurrent.CompletableFuture<>();

  private WsClient(WebSocket socket) {
    this.socket = socket;
    socket.textMessageHandler(t -> received.add(new JsonObject(t)));
    socket.closeHandler(
        v ->
            closed.complete(
                socket.closeStatusCode() == null ? (short) -1 : socket.closeStatusCode()));
  }

  /** Connects to a node URL as the balancer hands it out, e.g. ws://localhost:8082/ws. */
  public static WsClient connectUrl(Vertx vertx, String url) {
    java.net.URI uri = java.net.URI.create(url);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(uri.getHost())
            .setPort(uri.getPort())
            .setURI(uri.getPath());
    return new WsClient(TestCluster.await(vertx.createWebSocketClient().connect(options)));
  }

  public static WsClient connect(Vertx vertx, int port) {
    return connect(vertx, port, null);
  }

  public static WsClient connect(Vertx vertx, int port, String origin) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return new WsClient(TestCluster.await(client.connect(options)));
  }

  public void send(JsonObject message) {
    socket.writeTextMessage(message.encode());
  }

  public void sendText(String text) {
    socket.writeTextMessage(text);
  }

  public WebSocket socket() {
    return socket;
  }

  /** Joins and returns the welcome. */
  public JsonObject join(String room) {
    send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
    return next("welcome");
  }

  /** The next frame of the given type; frames of other types before it are dropped. */
  public JsonObject next(String type) {
    return next(m -> type.equals(m.getString("type")), type);
  }

  public JsonObject next(Predicate<JsonObject> match, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    try {
      while (System.nanoTime() < deadline) {
        JsonObject m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (m != null && match.test(m)) {
          return m;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fail("no " + what + " within " + WAIT_S + " s");
    return null;
  }

  /** The next frame whatever its type. */
  public JsonObject nextAny() {
    try {
      JsonObject m = received.poll(WAIT_S, TimeUnit.SECONDS);
      assertNotNull(m, "no frame within " + WAIT_S + " s");
      return m;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Frames received so far and not yet taken. */
  public List<JsonObject> drain() {
    List<JsonObject> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  public JsonObject error(String code) {
    JsonObject e = next("error");
    if (!code.equals(e.getString("code"))) {
      fail("expected error " + code + " but got " + e.encode());
    }
    return e;
  }

  /** Waits for the socket to close and returns its status code. */
  public short awaitClose() {
    try {
      return closed.get(WAIT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("socket did not close within " + WAIT_S + " s");
      return 0;
    }
  }

  public boolean closed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.close();
    }
  }
}
