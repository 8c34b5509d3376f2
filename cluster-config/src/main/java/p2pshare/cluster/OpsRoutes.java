package p2pshare.cluster;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** /healthz, /readyz and /metrics, the same on every process. */
public final class OpsRoutes {
  private OpsRoutes() {}

  /**
   * @param ready readiness: joined to the cluster and not draining
   * @param metrics the Prometheus text to serve on /metrics
   */
  public static void mount(Router router, BooleanSupplier ready, Supplier<String> metrics) {
    mount(router, ready, metrics, RoutingContext::next);
  }

  /**
   * As above, with /metrics behind {@code metricsGuard} (an {@link OperatorAccess}): liveness and
   * readiness stay open for probes.
   */
  public static void mount(
      Router router,
      BooleanSupplier ready,
      Supplier<String> metrics,
      Handler<RoutingContext> metricsGuard) {
    // Liveness never depends on the cluster: a partitioned process is alive, just not ready.
    router
        .get("/healthz")
        .handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "up")));
    router
        .get("/readyz")
        .handler(
            ctx -> {
              boolean ok = ready.getAsBoolean();
              ctx.response()
                  .setStatusCode(ok ? 200 : 503)
                  .putHeader("content-type", "application/json")
                  .end(new io.vertx.core.json.JsonObject().put("ready", ok).encode());
            });
    router
        .get("/metrics")
        .handler(metricsGuard)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.get()));
  }

  public static Supplier<String> scrape(PrometheusMeterRegistry registry) {
    return registry::scrape;
  }
}
