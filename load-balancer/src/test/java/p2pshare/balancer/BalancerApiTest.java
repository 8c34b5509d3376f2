package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pshare.balancer.TestSupport.await;
import static p2pshare.balancer.TestSupport.env;
import static p2pshare.balancer.TestSupport.freePort;
import static p2pshare.balancer.TestSupport.get;
import static p2pshare.balancer.TestSupport.load;
import static p2pshare.balancer.TestSupport.post;
import static p2pshare.balancer.TestSupport.waitFor;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.ClusterRuntime;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Ids;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.Role;

/**
 * Longer than 300 lines: its 18 ordered cases share one cluster (starting one per file costs
 * seconds each).
 *
 * <p>The balancer's HTTP API against a real two-member cluster in this JVM: the balancer, and a
 * Hazelcast-backed Vert.x started as a signaling node that publishes fake load records into the
 * shared nodes map, as real nodes do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(VertxExtension.class)
class BalancerApiTest {
  private static final String BALANCER_ID = "balancer-test";

  /** Room creation limit of this balancer: more than all other tests' POSTs, refill negligible. */
  private static final int TEST_BURST = 80;

  private static final double TEST_REFILL_PER_SECOND = 0.001;

  private Balancer balancer;
  private ClusterRuntime publisher;
  private IMap<String, String> nodesMap;
  private IMap<String, String> roomsMap;
  private String base;

  @BeforeAll
  void startCluster() {
    String cluster = TestSupport.randomClusterName();
    int balancerPort = freePort();
    int publisherPort = freePort();
    Map<String, String> balancerEnv =
        env(BALANCER_ID, cluster, balancerPort, balancerPort, publisherPort);
    // this test's HTTP client plays a proxy on loopback that forwards many clients
    balancerEnv.put("TRUSTED_PROXIES", "127.0.0.1");
    balancer =
        await(
            Balancer.start(
                EnvConfig.from(balancerEnv, Role.BALANCER),
                new RateLimiter(TEST_BURST, TEST_REFILL_PER_SECOND, System::nanoTime)));
    publisher =
        await(
            ClusterBoot.start(
                EnvConfig.from(
                    env("publisher", cluster, publisherPort, balancerPort, publisherPort),
                    Role.NODE)));
    waitFor(
        "both members in one cluster",
        () -> publisher.hazelcast().getCluster().getMembers().size() == 2 ? true : null);
    nodesMap = publisher.hazelcast().getMap(ClusterNames.NODES_MAP);
    roomsMap = publisher.hazelcast().getMap(ClusterNames.ROOMS_MAP);
    base = "http://127.0.0.1:" + balancer.port();
  }

  @AfterAll
  void stopCluster() {
    if (publisher != null) {
      await(publisher.close());
    }
    if (balancer != null) {
      await(balancer.close());
    }
  }

  @BeforeEach
  void emptyMaps() {
    nodesMap.clear();
    roomsMap.clear();
    awaitBalancerSees("no node", JsonArray::isEmpty);
  }

  /**
   * The balancer answers from its last read when a fresh one is slower than {@link
   * NodeRegistry#READ_WAIT_MS} (and a read already running is not doubled), so under load the first
   * answers after a write may still show the state before it. Each test acts once the balancer's
   * answers show what it wrote.
   */
  private void awaitBalancerSees(String what, Predicate<JsonArray> seen) {
    waitFor(
        "the balancer to see " + what,
        () -> seen.test(json(get(base + "/api/nodes")).getJsonArray("nodes")) ? true : null);
  }

  /** A node that keeps publishing: the record outlives the test (each test starts empty). */
  private static final int LIVE_TTL_S = 60;

  private void publish(NodeLoad load) {
    publish(load, LIVE_TTL_S);
    awaitBalancerSees(
        load.id() + " " + load.state(),
        nodes ->
            nodes.stream()
                .map(JsonObject.class::cast)
                .anyMatch(
                    n ->
                        n.getString("id").equals(load.id())
                            && n.getString("state").equals(load.state())
                            && n.getLong("connections") == load.connections()));
  }

  private void publish(NodeLoad load, int ttlSeconds) {
    nodesMap.put(load.id(), load.toJson().encode(), ttlSeconds, TimeUnit.SECONDS);
  }

  private static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    JsonObject body = json(r);
    assertEquals(code, body.getString("error"));
    assertFalse(body.getString("message", "").isBlank());
  }

  @Test
  @Order(1)
  void postRoomAnswers201WithRoomNodeAndEpochOne() {
    NodeLoad node = load("post-a", NodeLoad.UP, 0, null);
    publish(node);

    HttpResponse<String> r = post(base + "/api/rooms");

    assertEquals(201, r.statusCode(), r.body());
    JsonObject body = json(r);
    assertEquals(Set.of("room", "node", "epoch"), body.fieldNames());
    assertTrue(Ids.isRoomId(body.getString("room")));
    assertEquals(22, body.getString("room").length());
    assertEquals(
        new JsonObject().put("id", "post-a").put("url", node.url()), body.getJsonObject("node"));
    assertEquals(1L, body.getLong("epoch"));
    assertNotEquals(body.getString("room"), json(post(base + "/api/rooms")).getString("room"));
  }

  @Test
  @Order(2)
  void nodeUrlFollowsTheHostTheBrowserUsed() throws Exception {
    NodeLoad node =
        new NodeLoad(
            "lan-a",
            "ws://localhost:8081/ws",
            NodeLoad.UP,
            0,
            0,
            0,
            0.0,
            0.5,
            64L << 20,
            512L << 20,
            0.0,
            System.currentTimeMillis(),
            null);
    publish(node);
    String room = Ids.randomId();
    assertEquals(
        "ws://192.0.2.77:8081/ws",
        nodeUrlAsSeenBy("192.0.2.77:" + URI.create(base).getPort(), room),
        "a LAN browser gets the node under the host it used");
    assertEquals(
        "ws://localhost:8081/ws",
        nodeUrlAsSeenBy("127.0.0.1:" + URI.create(base).getPort(), room),
        "a browser on loopback gets PUBLIC_URL unchanged");
  }

  /** GET /api/rooms/{room} with this Host header (java.net.http may not set Host). */
  private String nodeUrlAsSeenBy(String hostHeader, String room) throws Exception {
    URI b = URI.create(base);
    try (Socket s = new Socket(b.getHost(), b.getPort())) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET /api/rooms/"
                      + room
                      + " HTTP/1.1\r\nHost: "
                      + hostHeader
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      return new JsonObject(body).getJsonObject("node").getString("url");
    }
  }

  @Test
  @Order(3)
  void skewedLoadSendsNewRoomsToTheLighterNode() {
    publish(load("skew-heavy", NodeLoad.UP, 500, null));
    publish(load("skew-light", NodeLoad.UP, 3, null));

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = post(base + "/api/rooms");
      assertEquals(201, r.statusCode(), r.body());
      assertEquals("skew-light", json(r).getJsonObject("node").getString("id"));
    }
  }

  @Test
  @Order(3)
  void drainingNodeGetsNoNewRooms() {
    publish(load("drain-idle", NodeLoad.DRAINING, 0, null));
    publish(load("drain-busy", NodeLoad.UP, 200, null));

    for (int i = 0; i < 10; i++) {
      assertEquals(
          "drain-busy", json(post(base + "/api/rooms")).getJsonObject("node").getString("id"));
    }
    nodesMap.remove("drain-busy");
    assertError(post(base + "/api/rooms"), 503, "no-live-node");
  }

  @Test
  @Order(4)
  void getOfUnknownValidIdAssignsItOnceAndKeepsIt() {
    publish(load("get-a", NodeLoad.UP, 10, null));
    publish(load("get-b", NodeLoad.UP, 10, null));
    String room = Ids.randomId();

    JsonObject first = json(get(base + "/api/rooms/" + room));
    assertEquals(room, first.getString("room"));
    assertEquals(1L, first.getLong("epoch"));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> again = get(base + "/api/rooms/" + room);
      assertEquals(200, again.statusCode());
      assertEquals(first, json(again));
    }
    String custom = "my-own-room_id-0123456789";
    assertEquals(200, get(base + "/api/rooms/" + custom).statusCode());
  }

  @Test
  @Order(5)
  void concurrentGetsForOneNewIdAgreeOnOneNodeAndOneEpoch(VertxTestContext ctx) {
    for (int i = 0; i < 4; i++) {
      publish(load("conc-" + i, NodeLoad.UP, 5, null));
    }
    String room = Ids.randomId();
    int requests = 50;
    Set<String> answers = ConcurrentHashMap.newKeySet();
    Checkpoint answered = ctx.checkpoint(requests);
    HttpClient client = publisher.vertx().createHttpClient();
    for (int i = 0; i < requests; i++) {
      client
          .request(HttpMethod.GET, balancer.port(), "127.0.0.1", "/api/rooms/" + room)
          .compose(req -> req.send())
          .compose(resp -> resp.statusCode() == 200 ? resp.body() : Future.failedFuture("status"))
          .onComplete(
              ctx.succeeding(
                  body -> {
                    JsonObject j = body.toJsonObject();
                    answers.add(j.getJsonObject("node").getString("id") + "@" + j.getLong("epoch"));
                    answered.flag();
                  }));
    }
    waitFor("all answers", () -> ctx.completed() || ctx.failed() ? true : null);
    assertFalse(ctx.failed(), String.valueOf(ctx.causeOfFailure()));
    assertEquals(1, answers.size(), answers.toString());
    assertTrue(answers.iterator().next().endsWith("@1"), answers.toString());
  }

  @Test
  @Order(6)
  void roomOfAnExpiredNodeMovesWithAHigherEpoch() {
    NodeLoad old = load("exp-old", NodeLoad.UP, 0, null);
    publish(old);
    String room = Ids.randomId();
    JsonObject first = json(get(base + "/api/rooms/" + room));
    assertEquals("exp-old", first.getJsonObject("node").getString("id"));
    assertEquals(1L, first.getLong("epoch"));
    publish(load("exp-new", NodeLoad.UP, 50, null));
    publish(old, 1); // its last publication: the record expires a second later

    JsonObject moved =
        waitFor(
            "the room to move",
            () -> {
              JsonObject j = json(get(base + "/api/rooms/" + room));
              return j.getJsonObject("node").getString("id").equals("exp-new") ? j : null;
            });
    assertEquals(2L, moved.getLong("epoch"));
    assertEquals(moved, json(get(base + "/api/rooms/" + room)), "stable once moved");
  }

  @Test
  @Order(7)
  void roomOfADrainingNodeMovesWithAHigherEpoch() {
    publish(load("mv-a", NodeLoad.UP, 0, null));
    String room = Ids.randomId();
    assertEquals(1L, json(get(base + "/api/rooms/" + room)).getLong("epoch"));
    publish(load("mv-b", NodeLoad.UP, 100, null));
    publish(load("mv-a", NodeLoad.DRAINING, 0, null));

    JsonObject moved = json(get(base + "/api/rooms/" + room));
    assertEquals("mv-b", moved.getJsonObject("node").getString("id"));
    assertEquals(2L, moved.getLong("epoch"));
  }

  @Test
  @Order(8)
  void badIdsAndUnknownPathsAreJsonErrors() {
    publish(load("err-a", NodeLoad.UP, 0, null));
    assertError(get(base + "/api/rooms/abc"), 400, "bad-room-id");
    assertError(get(base + "/api/rooms/" + "x".repeat(65)), 400, "bad-room-id");
    assertError(get(base + "/api/rooms/has.a.dot.in.it.123456"), 400, "bad-room-id");
    assertError(get(base + "/api/nope"), 404, "not-found");
    assertError(get(base + "/no/such/page"), 404, "not-found");
  }

  @Test
  @Order(9)
  void withoutLiveNodesPlacementIs503() {
    assertError(post(base + "/api/rooms"), 503, "no-live-node");
    assertError(get(base + "/api/rooms/" + Ids.randomId()), 503, "no-live-node");
    assertEquals(0, roomsMap.size(), "nothing placed");
  }

  @Test
  @Order(10)
  void nodesListsEveryLiveNodeWithThePublicFields() {
    publish(load("list-b", NodeLoad.DRAINING, 7, "http://127.0.0.1:1"));
    publish(load("list-a", NodeLoad.UP, 3, "http://127.0.0.1:1"));
    publish(load("list-gone", NodeLoad.UP, 3, null), 1);

    HttpResponse<String> r = get(base + "/api/nodes");
    assertEquals(200, r.statusCode());
    JsonArray nodes = json(r).getJsonArray("nodes");
    JsonObject a =
        nodes.stream()
            .map(JsonObject.class::cast)
            .filter(n -> n.getString("id").equals("list-a"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        Set.of(
            "id",
            "url",
            "state",
            "connections",
            "rooms",
            "peers",
            "msgsPerSec",
            "eventLoopLagMs",
            "heapUsedBytes",
            "heapMaxBytes",
            "cpu",
            "lastSeen"),
        a.fieldNames());
    assertEquals("up", a.getString("state"));
    assertEquals(3L, a.getLong("connections"));
    assertTrue(
        nodes.stream()
            .map(JsonObject.class::cast)
            .anyMatch(
                n ->
                    n.getString("id").equals("list-b") && n.getString("state").equals("draining")));

    waitFor(
        "the stale node to disappear",
        () -> {
          JsonArray now = json(get(base + "/api/nodes")).getJsonArray("nodes");
          boolean gone =
              now.stream()
                  .map(JsonObject.class::cast)
                  .noneMatch(n -> n.getString("id").equals("list-gone"));
          return gone && now.size() == 2 ? true : null;
        });
  }

  @Test
  @Order(11)
  void metricsMergesEveryNodeIntoOneValidText() {
    String fakeText =
        """
        # HELP jvm_threads_live_threads The current number of live threads
        # TYPE jvm_threads_live_threads gauge
        jvm_threads_live_threads{node="metrics-node"} 42.0
        # HELP p2p_fake_only_total A family only the node has
        # TYPE p2p_fake_only_total counter
        p2p_fake_only_total{type="signal"} 7.0
        """;
    HttpServer fake =
        await(
            publisher
                .vertx()
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.response()
                            .putHeader("content-type", "text/plain; version=0.0.4")
                            .end(req.path().equals("/metrics") ? fakeText : ""))
                .listen(0, "127.0.0.1"));
    try {
      publish(load("metrics-node", NodeLoad.UP, 1, "http://127.0.0.1:" + fake.actualPort()));
      publish(load("metrics-dead", NodeLoad.UP, 1, "http://127.0.0.1:" + freePort()));
      post(base + "/api/rooms");

      HttpResponse<String> r = get(base + "/metrics");

      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
      String text = r.body();
      assertValidExposition(text);
      assertTrue(text.contains("jvm_threads_live_threads{node=\"metrics-node\"} 42.0"), text);
      assertTrue(text.contains("jvm_threads_live_threads{node=\"" + BALANCER_ID + "\"}"));
      assertTrue(text.contains("p2p_fake_only_total{type=\"signal\",node=\"metrics-node\"} 7.0"));
      assertTrue(
          text.contains("p2p_balancer_room_creations_total{node=\"" + BALANCER_ID + "\"}"),
          () -> text.lines().filter(l -> l.contains("p2p_balancer")).toList().toString());
      assertTrue(text.contains("vertx_http_server_requests_total"), "vertx-micrometer meters");
    } finally {
      await(fake.close());
    }
  }

  /** Each family's HELP and TYPE once, before its samples, and every sample under its family. */
  static void assertValidExposition(String text) {
    Set<String> typed = new HashSet<>();
    Set<String> series = new HashSet<>();
    Map<String, Integer> helps = new HashMap<>();
    String family = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        family = line.split(" ")[2];
        assertTrue(typed.add(family), "TYPE twice: " + family);
      } else if (line.startsWith("# HELP ")) {
        helps.merge(line.split(" ")[2], 1, Integer::sum);
      } else if (!line.isBlank()) {
        String name = PrometheusText.sampleName(line);
        if (family == null || !(name.equals(family) || name.startsWith(family + "_"))) {
          // an untyped sample: legal, unless its family was declared elsewhere (a split family)
          family = null;
          assertFalse(typed.contains(name), "sample outside its family: " + line);
        }
        String key = line.substring(0, line.lastIndexOf(' '));
        assertTrue(series.add(key), "series twice: " + key);
      }
    }
    helps.forEach((name, count) -> assertEquals(1, count, "HELP twice: " + name));
    assertFalse(typed.isEmpty());
  }

  @Test
  @Order(12)
  void healthAndReadiness() {
    assertEquals(200, get(base + "/healthz").statusCode());
    assertEquals(200, get(base + "/readyz").statusCode());
    assertTrue(balancer.ready());
  }

  @Test
  @Order(13)
  void dashboardServesPageAndChartLibrary() {
    HttpResponse<String> page = get(base + "/dashboard");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    String html = page.body();
    List<String> scripts =
        html.lines()
            .filter(l -> l.contains("<script src=\"") || l.contains("stylesheet"))
            .map(l -> l.replaceAll(".*(?:src|href)=\"([^\"]+)\".*", "$1"))
            .toList();
    assertTrue(
        scripts.stream()
            .anyMatch(s -> s.startsWith("/webjars/uplot/") && s.endsWith("uPlot.iife.min.js")),
        scripts.toString());
    for (String asset : scripts) {
      HttpResponse<String> r = get(base + asset);
      assertEquals(200, r.statusCode(), asset);
      assertFalse(r.body().isEmpty(), asset);
    }
    assertTrue(
        html.contains("/api/nodes")
            || get(base + "/dashboard/dashboard.js").body().contains("/api/nodes"));
  }

  @Test
  @Order(14)
  void clientPagesServeTheWebClientIndex() {
    for (String path : List.of("/", "/r/" + Ids.randomId())) {
      HttpResponse<String> r = get(base + path);
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.body().contains("balancer-test-index"), path);
      assertEquals("no-referrer", r.headers().firstValue("referrer-policy").orElse(""));
      assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(""), path);
    }
    HttpResponse<String> asset = get(base + "/assets/app-3f2a9c.js");
    assertEquals(200, asset.statusCode());
    assertEquals(
        "public, max-age=31536000, immutable",
        asset.headers().firstValue("cache-control").orElse(""),
        "content-hashed assets are cached for good");
    HttpResponse<String> sw = get(base + "/sw.js");
    assertEquals(200, sw.statusCode());
    assertTrue(sw.body().contains("addEventListener"), "the service worker script itself");
    assertEquals("no-cache", sw.headers().firstValue("cache-control").orElse(""));
    HttpResponse<String> manifest = get(base + "/manifest.webmanifest");
    assertEquals(200, manifest.statusCode());
    assertEquals("p2p-share test", new JsonObject(manifest.body()).getString("name"));
    assertEquals(
        "application/manifest+json", manifest.headers().firstValue("content-type").orElse(""));
  }

  @Test
  @Order(100)
  void roomCreationFloodIsRateLimited() {
    publish(load("flood-a", NodeLoad.UP, 0, null));
    String[] flooder = {"X-Forwarded-For", "198.51.100.77"};
    for (int i = 0; i < TEST_BURST; i++) {
      assertEquals(201, post(base + "/api/rooms", flooder).statusCode());
    }
    HttpResponse<String> limited = post(base + "/api/rooms", flooder);
    assertError(limited, 429, "rate-limited");
    assertEquals("1", limited.headers().firstValue("retry-after").orElse(""));
    // behind a trusted proxy on a loopback address, each forwarded client has its own bucket
    assertEquals(
        201,
        post(base + "/api/rooms", "X-Forwarded-For", "198.51.100.77, 203.0.113.7").statusCode());
  }
}
