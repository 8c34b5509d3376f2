package p2pshare.signaling;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import p2pshare.cluster.ClientIp;
import p2pshare.cluster.HeaderDeadline;
import p2pshare.cluster.OpsRoutes;
import p2pshare.signaling.ops.EventLoopLagProbe;
import p2pshare.signaling.session.Limits;
import p2pshare.signaling.session.PeerSession;

/**
 * One instance per event loop: it owns the sockets it accepts. Serves /ws and the ops routes on the
 * node's port.
 */
public final class SignalingVerticle extends VerticleBase {
  /** The handshake answer past MAX_CONNECTIONS_PER_IP (PROTOCOL.md). */
  static final int TOO_MANY_REQUESTS = 429;

  private final SignalingNode node;
  private final Set<PeerSession> sessions = ConcurrentHashMap.newKeySet();
  private HeaderDeadline headerDeadline;

  public SignalingVerticle(SignalingNode node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        HeaderDeadline.http1Only(new HttpServerOptions())
            .setHost(node.env().host())
            .setPort(node.env().port())
            .setMaxWebSocketFrameSize(Limits.DECODER_MAX_BYTES)
            .setMaxWebSocketMessageSize(Limits.DECODER_MAX_BYTES)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            // No frame at all (pongs included) for IDLE_TIMEOUT_S closes the socket.
            .setReadIdleTimeout(node.env().idleTimeoutS());
    Router router = Router.router(vertx);
    OpsRoutes.mount(router, node::ready, node::scrapeMetrics, node.operatorAccess());
    long pingEveryMs = node.env().idleTimeoutS() * 1000L / Limits.PINGS_PER_IDLE_TIMEOUT;
    vertx.setPeriodic(pingEveryMs, t -> sessions.forEach(PeerSession::ping));
    new EventLoopLagProbe(vertx, node.lag()).start();
    node.register(this);
    HttpServer server = vertx.createHttpServer(options);
    headerDeadline = new HeaderDeadline(vertx);
    headerDeadline.install(server, router);
    return server
        .requestHandler(router)
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::accept)
        .listen();
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    headerDeadline.headComplete(handshake.remoteAddress());
    if (!"/ws".equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String origin = handshake.headers().get("Origin");
    String host = handshake.authority() == null ? null : handshake.authority().host();
    if (!node.origins().allowed(origin, host)) {
      handshake.reject(403);
      return;
    }
    String client = clientAddress(handshake.remoteAddress(), handshake.headers());
    if (!node.connectionsPerIp().tryAcquire(client)) {
      handshake.reject(TOO_MANY_REQUESTS);
      return;
    }
    handshake.accept().onFailure(e -> node.connectionsPerIp().release(client));
  }

  private void accept(ServerWebSocket socket) {
    String client = clientAddress(socket.remoteAddress(), socket.headers());
    PeerSession session =
        new PeerSession(vertx, socket, node.rooms(), node.metrics(), node.drainState());
    sessions.add(session);
    session.start(
        () -> {
          sessions.remove(session);
          node.connectionsPerIp().release(client);
        });
  }

  /** The address MAX_CONNECTIONS_PER_IP counts: X-Forwarded-For only from TRUSTED_PROXIES. */
  private String clientAddress(SocketAddress remote, MultiMap headers) {
    String peer = remote == null ? null : remote.hostAddress();
    return node.clientIp().resolve(peer, headers.get(ClientIp.FORWARDED_FOR));
  }

  /** Drain: every socket of this verticle is asked to reconnect elsewhere. */
  public void sendReconnectToAll() {
    context.runOnContext(v -> sessions.forEach(PeerSession::sendReconnect));
  }

  public int openSockets() {
    return sessions.size();
  }
}
