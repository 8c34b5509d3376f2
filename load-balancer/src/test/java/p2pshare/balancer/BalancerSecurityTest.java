package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pshare.balancer.TestSupport.await;
import static p2pshare.balancer.TestSupport.env;
import static p2pshare.balancer.TestSupport.freePort;
import static p2pshare.balancer.TestSupport.load;
import static p2pshare.balancer.TestSupport.waitFor;

import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.ClusterRuntime;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Ids;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.Role;

/**
 * Longer than 300 lines: the findings' cases share one real balancer and cluster.
 *
 * <p>Issue 14 over real HTTP against a real balancer (a two-member cluster on 127.0.0.1): operator
 * routes need OPERATOR_TOKEN (finding 6), the balancer's /metrics passes it on and never fetches an
 * adminUrl that is not a cluster member (finding 7), every answer carries the security headers
 * (finding 3), room look-ups are rate limited whatever X-Forwarded-For says, and a half-sent
 * request is closed (finding 5).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BalancerSecurityTest {
  private static final String TOKEN = "test-operator-token-" + Ids.randomId();

  /**
   * Room look-ups of this balancer: the production shape, a smaller burst, no refill to speak of.
   */
  private static final int LOOKUP_BURST = 20;

  private static final double NEGLIGIBLE_REFILL = 0.001;

  private Balancer balancer;
  private ClusterRuntime publisher;
  private IMap<String, String> nodesMap;
  private String base;
  private Vertx fakes;

  @BeforeAll
  void start() {
    String cluster = TestSupport.randomClusterName();
    int balancerPort = freePort();
    int publisherPort = freePort();
    Map<String, String> balancerEnv =
        env("balancer-sec", cluster, balancerPort, balancerPort, publisherPort);
    balancerEnv.put("OPERATOR_TOKEN", TOKEN);
    balancer =
        await(
            Balancer.start(
                EnvConfig.from(balancerEnv, Role.BALANCER),
                new RateLimiter(),
                new RateLimiter(LOOKUP_BURST, NEGLIGIBLE_REFILL, System::nanoTime)));
    publisher =
        await(
            ClusterBoot.start(
                EnvConfig.from(
                    env("publisher-sec", cluster, publisherPort, balancerPort, publisherPort),
                    Role.NODE)));
    waitFor(
        "both members in one cluster",
        () -> publisher.hazelcast().getCluster().getMembers().size() == 2 ? true : null);
    nodesMap = publisher.hazelcast().getMap(ClusterNames.NODES_MAP);
    base = "http://127.0.0.1:" + balancer.port();
    fakes = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    if (fakes != null) {
      fakes.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (publisher != null) {
      await(publisher.close());
    }
    if (balancer != null) {
      await(balancer.close());
    }
  }

  private static HttpResponse<String> get(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return TestSupport.HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void operatorRoutesNeedTheToken() {
    for (String path :
        List.of(
            "/metrics",
            "/dashboard",
            "/dashboard/dashboard.js",
            "/api/nodes",
            "/api/analytics/summary")) {
      HttpResponse<String> anonymous = get(base + path);
      assertEquals(401, anonymous.statusCode(), path);
      assertEquals("unauthorized", new JsonObject(anonymous.body()).getString("error"), path);
      assertEquals(401, get(base + path, "Authorization", "Bearer wrong").statusCode(), path);
      assertEquals(200, get(base + path, "Authorization", "Bearer " + TOKEN).statusCode(), path);
    }
    // a browser opening /dashboard answers the Basic challenge with the token as password
    String basic =
        Base64.getEncoder().encodeToString(("ops:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> challenge = get(base + "/dashboard");
    assertTrue(challenge.headers().firstValue("www-authenticate").orElse("").startsWith("Basic"));
    assertEquals(200, get(base + "/dashboard", "Authorization", "Basic " + basic).statusCode());
    // probes and the app stay open
    assertEquals(200, get(base + "/healthz").statusCode());
    assertEquals(200, get(base + "/").statusCode());
  }

  @Test
  void metricsFanOutPassesTheTokenAndNeverFetchesANonMemberAddress() throws Exception {
    List<String> memberAuth = new CopyOnWriteArrayList<>();
    List<String> strangerHits = new CopyOnWriteArrayList<>();
    HttpServer member =
        fakes
            .createHttpServer()
            .requestHandler(
                req -> {
                  memberAuth.add(String.valueOf(req.getHeader("Authorization")));
                  req.response().end("p2p_fake_member_total 1.0\n");
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    // 127.0.0.2 is this machine too, but no cluster member lives there: an SSRF target
    HttpServer stranger =
        fakes
            .createHttpServer()
            .requestHandler(
                req -> {
                  strangerHits.add(req.path());
                  req.response().end("p2p_stolen_total 1.0\n");
                })
            .listen(0, "127.0.0.2")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    nodesMap.put(
        "fan-member",
        load("fan-member", NodeLoad.UP, 1, "http://127.0.0.1:" + member.actualPort())
            .toJson()
            .encode(),
        60,
        TimeUnit.SECONDS);
    nodesMap.put(
        "fan-stranger",
        load("fan-stranger", NodeLoad.UP, 1, "http://127.0.0.2:" + stranger.actualPort())
            .toJson()
            .encode(),
        60,
        TimeUnit.SECONDS);
    try {
      String text =
          waitFor(
              "the member node's metrics merged in",
              () -> {
                HttpResponse<String> r = get(base + "/metrics", "Authorization", "Bearer " + TOKEN);
                return r.statusCode() == 200 && r.body().contains("p2p_fake_member_total")
                    ? r.body()
                    : null;
              });
      assertFalse(text.contains("p2p_stolen_total"), text);
      assertTrue(strangerHits.isEmpty(), "a non-member adminUrl was fetched: " + strangerHits);
      assertEquals("Bearer " + TOKEN, memberAuth.get(memberAuth.size() - 1));
    } finally {
      nodesMap.remove("fan-member");
      nodesMap.remove("fan-stranger");
    }
  }

  @Test
  void everyAnswerCarriesTheSecurityHeadersAndThePageMayReachTheNodes() {
    nodesMap.put(
        "csp-node",
        new NodeLoad(
                "csp-node",
                "wss://signal-7.example.net:8443/ws",
                NodeLoad.UP,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                System.currentTimeMillis(),
                null)
            .toJson()
            .encode(),
        60,
        TimeUnit.SECONDS);
    try {
      for (String path :
          List.of(
              "/",
              "/r/" + Ids.randomId(),
              "/api/rooms/bad!",
              "/no-such-path",
              "/healthz",
              "/metrics")) {
        HttpResponse<String> r = get(base + path);
        String csp = r.headers().firstValue("content-security-policy").orElse("");
        assertTrue(csp.startsWith("default-src 'self'"), path + ": " + csp);
        for (String directive :
            List.of("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'")) {
          assertTrue(csp.contains(directive), path + " lacks " + directive + ": " + csp);
        }
        assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""), path);
        assertEquals("no-referrer", r.headers().firstValue("referrer-policy").orElse(""), path);
        String permissions = r.headers().firstValue("permissions-policy").orElse("");
        assertTrue(
            permissions.contains("camera=()") && permissions.contains("microphone=()"), path);
      }
      String page = get(base + "/").headers().firstValue("content-security-policy").orElse("");
      String connect = directive(page, "connect-src");
      List<String> sources = List.of(connect.split(" "));
      assertEquals("'self'", sources.get(1), connect);
      assertTrue(sources.contains("wss://signal-7.example.net:*"), "the live node: " + connect);
      assertTrue(
          sources.contains("https://signal-7.example.net:*"), "its health probe: " + connect);
      for (String source : sources.subList(2, sources.size())) {
        // only node hosts this balancer has seen (other tests' nodes live on 127.0.0.1)
        assertTrue(
            List.of(
                    "wss://signal-7.example.net:*",
                    "https://signal-7.example.net:*",
                    "ws://127.0.0.1:*",
                    "http://127.0.0.1:*")
                .contains(source),
            "no other source: " + connect);
      }
      assertFalse(page.contains("unsafe-inline") || page.contains("unsafe-eval"), page);
    } finally {
      nodesMap.remove("csp-node");
    }
  }

  private static String directive(String csp, String name) {
    for (String d : csp.split(";")) {
      if (d.strip().startsWith(name + " ")) {
        return d.strip();
      }
    }
    return "";
  }

  @Test
  void roomLookupsAreRateLimitedWhateverXForwardedForSays() {
    int passed = 0;
    int limited = 0;
    for (int i = 0; i < LOOKUP_BURST + 10; i++) {
      // no node is live: a look-up that passes the limit answers 503, one that does not 429;
      // a rotating X-Forwarded-For from an untrusted peer must not buy fresh buckets
      HttpResponse<String> r =
          get(base + "/api/rooms/" + Ids.randomId(), "X-Forwarded-For", "198.51.100." + i);
      if (r.statusCode() == 429) {
        limited++;
        assertEquals("rate-limited", new JsonObject(r.body()).getString("error"));
      } else {
        passed++;
      }
    }
    assertEquals(LOOKUP_BURST, passed, "look-ups within the burst");
    assertEquals(10, limited, "guessed ids past the burst are not placed");
  }

  @Test
  void aHalfSentRequestIsClosed() throws Exception {
    URI b = URI.create(base);
    List<Long> closedAfterMs = new ArrayList<>();
    try (Socket s = new Socket(b.getHost(), b.getPort())) {
      long started = System.nanoTime();
      s.setSoTimeout(BalancerVerticle.IDLE_TIMEOUT_S * 4 * 1000);
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // whatever the server says before it closes
      }
      closedAfterMs.add((System.nanoTime() - started) / 1_000_000);
    }
    assertTrue(
        closedAfterMs.get(0) < BalancerVerticle.IDLE_TIMEOUT_S * 2 * 1000L,
        "closed after " + closedAfterMs);
  }
}
