package p2pshare.balancer;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.Ids;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.OperatorAccess;
import p2pshare.cluster.OpsRoutes;

/** The balancer's routes (PROTOCOL.md "Balancer HTTP API"); errors are JSON {error, message}. */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  private static final String JSON = "application/json";
  private static final String HTML = "text/html; charset=utf-8";
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  /** Hashed static assets may be cached; pages and API answers are not. */
  static final long STATIC_MAX_AGE_S = 3_600;

  /** Files a browser must revalidate on every load, with their content types. */
  static final Map<String, String> ALWAYS_FRESH =
      Map.of(
          "/sw.js", "text/javascript; charset=utf-8",
          "/registerSW.js", "text/javascript; charset=utf-8",
          "/manifest.webmanifest", "application/manifest+json");

  /** Content-hashed client assets: cached for a year by browsers and CDNs. */
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final RoomAssigner assigner;
  private final NodeRegistry nodes;
  private final MetricsAggregator metrics;
  private final RateLimiter roomCreationLimiter;
  private final BalancerMeters meters;
  private final WebPages pages;
  private final BooleanSupplier ready;
  private final AnalyticsRoutes analytics;
  private final BalancerSecurity security;

  public HttpApi(
      RoomAssigner assigner,
      NodeRegistry nodes,
      MetricsAggregator metrics,
      RateLimiter roomCreationLimiter,
      BalancerMeters meters,
      WebPages pages,
      BooleanSupplier ready,
      AnalyticsRoutes analytics,
      BalancerSecurity security) {
    this.assigner = assigner;
    this.nodes = nodes;
    this.metrics = metrics;
    this.roomCreationLimiter = roomCreationLimiter;
    this.meters = meters;
    this.pages = pages;
    this.ready = ready;
    this.analytics = analytics;
    this.security = security;
  }

  /** A router for one verticle instance; the state behind it is shared and thread-safe. */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    // Every answer, errors included, carries the security headers; pages refine connect-src.
    router
        .route()
        .handler(
            ctx -> {
              // every answer may become a page (the service worker caches index.html), so all
              // carry the node hosts known now
              security
                  .headers()
                  .apply(
                      ctx.response(), security.connectSources().forRequestHost(requestHost(ctx)));
              ctx.next();
            });
    OperatorAccess operator = security.operatorAccess();
    router.post("/api/rooms").handler(this::handleCreateRoom);
    router.get("/api/rooms/:id").handler(this::handleGetRoom);
    router.get("/api/nodes").handler(operator).handler(this::handleNodes);
    router.get("/api/analytics/summary").handler(operator);
    analytics.mount(router);
    // The cluster-wide /metrics is mounted before OpsRoutes, whose own /metrics it shadows.
    router.get("/metrics").handler(operator).handler(this::handleMetrics);
    OpsRoutes.mount(router, ready, () -> "", operator);

    router.get("/dashboard").handler(operator).handler(ctx -> page(ctx, pages.dashboardIndex()));
    router
        .get("/dashboard/*")
        .handler(operator)
        .handler(StaticHandler.create(WebPages.DASHBOARD_ROOT).setMaxAgeSeconds(60));
    router
        .get("/webjars/*")
        .handler(StaticHandler.create(WebPages.WEBJARS_ROOT).setMaxAgeSeconds(STATIC_MAX_AGE_S));

    router.get("/").handler(this::clientPage);
    router.get("/r/:id").handler(this::clientPage);
    // Vite names assets by content hash: a changed file is a new URL, so they never go stale.
    router
        .get("/assets/*")
        .handler(
            ctx -> {
              ctx.response().putHeader("cache-control", IMMUTABLE);
              ctx.next();
            })
        .handler(StaticHandler.create(WebPages.CLIENT_ROOT).setCachingEnabled(false));
    // The service worker and manifest must be revalidated every time, or a new release is seen
    // late; they are sent from disk on each request (no file-property cache answering 304).
    ALWAYS_FRESH.forEach(
        (path, type) ->
            router
                .get(path)
                .handler(
                    ctx ->
                        ctx.response()
                            .putHeader("cache-control", "no-cache")
                            .putHeader("content-type", type)
                            .sendFile(WebPages.CLIENT_ROOT + path)
                            .onFailure(e -> ctx.fail(404))));
    router
        .get("/*")
        .handler(StaticHandler.create(WebPages.CLIENT_ROOT).setMaxAgeSeconds(STATIC_MAX_AGE_S));

    router.errorHandler(404, ApiError.NOT_FOUND::send);
    router.errorHandler(405, ApiError.METHOD_NOT_ALLOWED::send);
    router.errorHandler(
        500,
        ctx -> {
          LOG.warn("request failed path={} error={}", safePath(ctx), String.valueOf(ctx.failure()));
          ApiError.INTERNAL.send(ctx);
        });
    return router;
  }

  private void handleCreateRoom(RoutingContext ctx) {
    String client = security.clientAddress().of(ctx.request());
    if (!roomCreationLimiter.tryAcquire(client)) {
      meters.rateLimited();
      ctx.response().putHeader("retry-after", "1");
      ApiError.RATE_LIMITED.send(ctx);
      return;
    }
    assigner.create().onSuccess(a -> answer(ctx, 201, a)).onFailure(e -> fail(ctx, e));
  }

  private void handleGetRoom(RoutingContext ctx) {
    String room = ctx.pathParam("id");
    if (!Ids.isRoomId(room)) {
      ApiError.BAD_ROOM_ID.send(ctx);
      return;
    }
    if (!security.roomLookupLimiter().tryAcquire(security.clientAddress().of(ctx.request()))) {
      meters.rateLimited();
      ctx.response().putHeader("retry-after", "1");
      ApiError.RATE_LIMITED.send(ctx);
      return;
    }
    assigner.lookup(room).onSuccess(a -> answer(ctx, 200, a)).onFailure(e -> fail(ctx, e));
  }

  private void handleNodes(RoutingContext ctx) {
    nodes
        .liveNodes()
        .onSuccess(
            live -> {
              JsonArray list = new JsonArray();
              live.forEach(n -> list.add(n.toPublicJson()));
              // the dashboard ages lastSeen by this clock rather than the browser's
              ctx.response().putHeader("date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
              json(ctx, 200, new JsonObject().put("nodes", list));
            })
        .onFailure(e -> fail(ctx, e));
  }

  private void handleMetrics(RoutingContext ctx) {
    metrics
        .scrapeAll()
        .onSuccess(
            text ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(text))
        .onFailure(e -> fail(ctx, e));
  }

  /** The answer of /api/rooms; the node URL follows the host the browser used (NodeUrls). */
  static JsonObject assignmentJson(RoomAssigner.Assignment a, String requestHost) {
    NodeLoad node = a.node();
    String url = NodeUrls.forRequest(node.url(), requestHost);
    return new JsonObject()
        .put("room", a.room())
        .put("node", new JsonObject().put("id", node.id()).put("url", url))
        .put("epoch", a.epoch());
  }

  private static void answer(RoutingContext ctx, int status, RoomAssigner.Assignment a) {
    json(ctx, status, assignmentJson(a, requestHost(ctx)));
  }

  /** The host the browser used (Host header, no port), or null. */
  private static String requestHost(RoutingContext ctx) {
    var authority = ctx.request().authority();
    return authority == null ? null : authority.host();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", JSON)
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }

  /**
   * The client page; its connect-src names the hosts of the nodes live now (and seen before), so
   * the page may open a WebSocket to exactly those and nowhere else.
   */
  private void clientPage(RoutingContext ctx) {
    ConnectSources sources = security.connectSources();
    nodes
        .liveNodes()
        .onComplete(
            live -> {
              if (live.succeeded()) {
                sources.update(live.result());
              }
              security.headers().apply(ctx.response(), sources.forRequestHost(requestHost(ctx)));
              page(ctx, pages.clientIndex());
            });
  }

  private static void page(RoutingContext ctx, String html) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().putHeader("content-type", HTML).putHeader("cache-control", "no-cache").end(html);
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    if (e instanceof NoLiveNodeException) {
      ApiError.NO_LIVE_NODE.send(ctx);
      return;
    }
    LOG.warn("request failed path={} error={}", safePath(ctx), e.toString());
    ApiError.INTERNAL.send(ctx);
  }

  /** The path for logs, without room ids. */
  private static String safePath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.startsWith("/api/rooms/") || path.startsWith("/r/")) {
      return path.substring(0, path.lastIndexOf('/') + 1) + "{id}";
    }
    return path;
  }
}
