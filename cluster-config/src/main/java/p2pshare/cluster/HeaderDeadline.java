package p2pshare.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slowloris guard (issue 14 finding 5): an HTTP connection must deliver a complete request head
 * within {@link #HEADER_DEADLINE_MS} of opening, and again of its previous response ending
 * (keep-alive), or it is closed. An idle timeout alone does not stop a client that trickles one
 * header byte every few seconds; the codec's header size cap would take hours to reach. The server
 * must be made with {@link #http1Only} options.
 */
public final class HeaderDeadline {
  /** Time a client has to send a whole request line and headers. */
  public static final long HEADER_DEADLINE_MS = 10_000;

  private final Vertx vertx;
  private final long deadlineMs;

  /** Pending deadline timers by the connection's remote address (HTTP and handshakes share it). */
  private final Map<String, Long> timers = new ConcurrentHashMap<>();

  public HeaderDeadline(Vertx vertx) {
    this(vertx, HEADER_DEADLINE_MS);
  }

  HeaderDeadline(Vertx vertx, long deadlineMs) {
    this.vertx = vertx;
    this.deadlineMs = deadlineMs;
  }

  /**
   * Server options the deadline needs: no HTTP/2 cleartext. With h2c on, Vert.x holds a new
   * connection in its protocol detection — no HttpConnection exists, so nothing can time it — for
   * as long as the client trickles its first line. No browser uses h2c.
   */
  public static HttpServerOptions http1Only(HttpServerOptions options) {
    return options.setHttp2ClearTextEnabled(false);
  }

  /**
   * Arms the deadline on every connection {@code server} opens and disarms it when {@code router}
   * sees a request (its head is complete); re-arms it when that request's response has ended.
   */
  public void install(HttpServer server, Router router) {
    server.connectionHandler(this::opened);
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            ctx -> {
              HttpConnection connection = ctx.request().connection();
              headComplete(connection.remoteAddress());
              ctx.addEndHandler(done -> awaitHead(connection));
              ctx.next();
            });
  }

  /** A request head arrived on the connection from {@code remote} (also a WebSocket handshake). */
  public void headComplete(SocketAddress remote) {
    Long timer = remote == null ? null : timers.remove(key(remote));
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private void opened(HttpConnection connection) {
    // no closeHandler (a connection has one, others may need it): the timer of a connection
    // closed meanwhile just fires once and closes nothing
    awaitHead(connection);
  }

  private void awaitHead(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    if (remote == null) {
      return;
    }
    String key = key(remote);
    long timer =
        vertx.setTimer(
            deadlineMs,
            t -> {
              if (timers.remove(key, t)) {
                connection.close();
              }
            });
    Long previous = timers.put(key, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  private static String key(SocketAddress remote) {
    return remote.hostAddress() + "|" + remote.port();
  }
}
