package p2pshare.balancer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** One HTTP server on one event loop; instances share the port and the state behind the API. */
public final class BalancerVerticle extends VerticleBase {
  /** Request headers beyond this are refused by the HTTP codec. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private final HttpApi api;
  private final String host;
  private final int port;
  private volatile int actualPort = -1;

  public BalancerVerticle(HttpApi api, String host, int port) {
    this.api = api;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions().setHost(host).setPort(port).setMaxHeaderSize(MAX_HEADER_BYTES);
    return vertx
        .createHttpServer(options)
        .requestHandler(api.router(vertx))
        .listen()
        .onSuccess(server -> actualPort = server.actualPort())
        .map(HttpServer::actualPort);
  }

  /** The bound port, known once started. */
  public int actualPort() {
    return actualPort;
  }
}
