package p2pshare.balancer;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * POST /api/analytics (opt-in, anonymous figures after a transfer) and GET /api/analytics/summary.
 * Nothing about the sender is kept: not its address (only used, unstored beyond the rate limiter's
 * bucket key, to rate-limit), no ids, no names.
 */
public final class AnalyticsRoutes {
  /** Per client address: a burst of 30 reports, then one every 2 s. */
  public static final int BURST = 30;

  public static final double REFILL_PER_SECOND = 0.5;

  private final AnalyticsMeters meters;
  private final RateLimiter limiter;
  private final ClientAddress clientAddress;

  AnalyticsRoutes(AnalyticsMeters meters, RateLimiter limiter, ClientAddress clientAddress) {
    this.meters = meters;
    this.limiter = limiter;
    this.clientAddress = clientAddress;
  }

  public static RateLimiter defaultLimiter() {
    return new RateLimiter(BURST, REFILL_PER_SECOND, System::nanoTime);
  }

  public void mount(Router router) {
    router
        .post("/api/analytics")
        .handler(BodyHandler.create(false).setBodyLimit(AnalyticsReport.MAX_BODY_BYTES))
        .handler(this::handleReport);
    router.get("/api/analytics/summary").handler(this::handleSummary);
  }

  private void handleReport(RoutingContext ctx) {
    if (!limiter.tryAcquire(clientAddress.of(ctx.request()))) {
      ctx.response().putHeader("retry-after", "2");
      ApiError.RATE_LIMITED.send(ctx);
      return;
    }
    AnalyticsReport report;
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("the body must be a JSON object");
      }
      report = AnalyticsReport.parse(body);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      meters.rejected();
      badAnalytics(ctx, e.getMessage());
      return;
    }
    meters.record(report);
    ctx.response().setStatusCode(204).putHeader("cache-control", "no-store").end();
  }

  private void handleSummary(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(meters.summary().encode());
  }

  private static void badAnalytics(RoutingContext ctx, String message) {
    ctx.response()
        .setStatusCode(400)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(
            new JsonObject()
                .put("error", ApiError.BAD_ANALYTICS.code)
                .put("message", message)
                .encode());
  }
}
