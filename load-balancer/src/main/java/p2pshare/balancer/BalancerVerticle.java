package p2pshare.balancer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.IntConsumer;
import p2pshare.cluster.HeaderDeadline;

/** One HTTP server on one event loop; instances share the port and the state behind the API. */
public final class BalancerVerticle extends VerticleBase {
  /** Request headers beyond this are refused by the HTTP codec. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /**
   * A connection that moves no byte for this long is closed: a half-sent request or an idle
   * keep-alive connection does not hold a socket for ever (issue 14 finding 5). A request whose
   * head trickles in is cut earlier by {@link HeaderDeadline}.
   */
  static final int IDLE_TIMEOUT_S = 15;

  private final HttpApi api;
  private final String host;
  private final int port;
  private final IntConsumer onBound;

  public BalancerVerticle(HttpApi api, String host, int port, IntConsumer onBound) {
    this.api = api;
    this.host = host;
    this.port = port;
    this.onBound = onBound;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        HeaderDeadline.http1Only(new HttpServerOptions())
            .setHost(host)
            .setPort(port)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setIdleTimeout(IDLE_TIMEOUT_S);
    HttpServer server = vertx.createHttpServer(options);
    Router router = api.router(vertx);
    new HeaderDeadline(vertx).install(server, router);
    return server
        .requestHandler(router)
        .listen()
        .onSuccess(bound -> onBound.accept(bound.actualPort()));
  }
}
