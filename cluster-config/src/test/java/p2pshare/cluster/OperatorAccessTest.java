package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OPERATOR_TOKEN empty: operator routes answer only private networks (403 otherwise), the client
 * address judged through TRUSTED_PROXIES — so a public client behind an ingress is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorAccessTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private int port;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    // this test's client plays an ingress on loopback
    OperatorAccess access =
        new OperatorAccess("", new ClientIp(AddressRanges.of(List.of("127.0.0.1"))));
    router.get("/metrics").handler(access).handler(ctx -> ctx.response().end("ok"));
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

  private int status(String forwardedFor) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void withoutATokenOnlyPrivateClientsPass() throws Exception {
    assertEquals(200, status(null), "loopback itself");
    assertEquals(200, status("10.2.3.4"), "a client on the cluster's private network");
    assertEquals(403, status("203.0.113.50"), "a public client through the ingress");
    assertEquals(403, status("10.2.3.4, 203.0.113.50"), "a forged private hop before it");
  }
}
