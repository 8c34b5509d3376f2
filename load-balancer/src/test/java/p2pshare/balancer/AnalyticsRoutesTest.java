package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** POST /api/analytics over real HTTP: strict validation, rate limit, aggregates as meters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsRoutesTest {
  private static final int BURST = 5;
  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private AnalyticsMeters meters;
  private int port;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters = new AnalyticsMeters(registry);
    Router router = Router.router(vertx);
    // The test client stands behind a trusted proxy on loopback: X-Forwarded-For names clients.
    new AnalyticsRoutes(
            meters,
            new RateLimiter(BURST, 1e-6, System::nanoTime),
            new ClientAddress(java.util.List.of("127.0.0.1")))
        .mount(router);
    port =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS)
            .actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static JsonObject valid() {
    return new JsonObject()
        .put("v", 1)
        .put("direction", "receive")
        .put("outcome", "completed")
        .put("sizeBucket", "100MB-1GB")
        .put("durationMs", 4200)
        .put("avgBps", 5.0e7)
        .put("peakBps", 8.0e7)
        .put("connection", "relay")
        .put("errors", 1)
        .put("browser", "chromium");
  }

  private HttpResponse<String> post(String body, String forwardedFor) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/analytics"))
            .header("content-type", "application/json")
            .header("x-forwarded-for", forwardedFor)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptedReportsShowUpAsMetricsAndInTheSummary() throws Exception {
    assertEquals(204, post(valid().encode(), "198.51.100.1").statusCode());
    String scrape = registry.scrape();
    assertTrue(
        scrape.contains(
            "p2p_analytics_transfers_total{browser=\"chromium\",connection=\"relay\",direction=\"receive\",outcome=\"completed\",size_bucket=\"100MB-1GB\"} 1.0"),
        scrape);
    assertTrue(scrape.contains("p2p_analytics_transfer_errors_total 1.0"));
    JsonObject summary =
        new JsonObject(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/analytics/summary"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertEquals(1L, summary.getJsonObject("byConnection").getLong("relay"));
    assertEquals(5.0e7, summary.getDouble("meanAvgBytesPerSec"));
  }

  @Test
  void malformedReportsAreRefusedWith400() throws Exception {
    String[] bad = {
      "not json",
      "[]",
      valid().put("room", "abcdefghijklmnopqrstuv").encode(),
      valid().put("v", 2).encode(),
      valid().put("connection", "wifi").encode(),
      valid().put("durationMs", -1).encode(),
      valid().put("durationMs", 1.5).encode(),
      valid().put("avgBps", 9.0e7).encode(),
      valid().put("browser", null).encode()
    };
    for (int i = 0; i < bad.length; i++) {
      HttpResponse<String> r = post(bad[i], "198.51.100." + (10 + i));
      assertEquals(400, r.statusCode(), bad[i]);
      assertEquals("bad-analytics", new JsonObject(r.body()).getString("error"), bad[i]);
    }
    HttpResponse<String> tooBig =
        post(valid().put("sizeBucket", "x".repeat(2000)).encode(), "198.51.100.99");
    assertEquals(413, tooBig.statusCode(), "bodies over 1 KiB are refused before parsing");
  }

  @Test
  void oneClientIsRateLimitedOthersNot() throws Exception {
    int accepted = 0;
    int limited = 0;
    for (int i = 0; i < BURST + 3; i++) {
      int status = post(valid().encode(), "198.51.100.3").statusCode();
      accepted += status == 204 ? 1 : 0;
      limited += status == 429 ? 1 : 0;
    }
    assertEquals(BURST, accepted);
    assertEquals(3, limited);
    assertEquals(204, post(valid().encode(), "198.51.100.4").statusCode());
  }
}
