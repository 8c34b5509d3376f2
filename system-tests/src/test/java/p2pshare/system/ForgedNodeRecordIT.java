package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.HazelcastConfigs;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.Role;

/**
 * Issue 14 finding 7: anything that reaches the cluster can write the nodes map. A real Hazelcast
 * member writes one honest and several forged node records (an attacker's signaling URL, user info,
 * an adminUrl at the cloud metadata address, a bad id); the real balancer jar lists and places only
 * the honest one and logs the refusal without the forged content.
 */
class ForgedNodeRecordIT {
  static final String TOKEN = "it-token-" + UUID.randomUUID();
  static final String HONEST_URL = "ws://127.0.0.1:9/ws";
  static final long AWAIT_MS = 60_000;

  static HazelcastInstance member;
  static JarProcess balancer;

  @BeforeAll
  static void start() throws Exception {
    String cluster = "forged-" + UUID.randomUUID();
    int memberPort = JarProcess.freePort();
    int balancerHz = JarProcess.freePort();
    String members = "127.0.0.1:" + memberPort + ",127.0.0.1:" + balancerHz;
    member =
        Hazelcast.newHazelcastInstance(
            HazelcastConfigs.forEnv(
                EnvConfig.from(
                    Map.of(
                        "NODE_ID",
                        "record-writer",
                        "CLUSTER_NAME",
                        cluster,
                        "CLUSTER_HOST",
                        "127.0.0.1",
                        "CLUSTER_PORT",
                        String.valueOf(memberPort),
                        "CLUSTER_MEMBERS",
                        members),
                    Role.NODE)));
    int port = JarProcess.freePort();
    balancer =
        JarProcess.start(
            "balancerJar",
            "forged-balancer",
            port,
            Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                String.valueOf(port),
                "CLUSTER_NAME",
                cluster,
                "CLUSTER_HOST",
                "127.0.0.1",
                "CLUSTER_PORT",
                String.valueOf(balancerHz),
                "CLUSTER_MEMBERS",
                members,
                "OPERATOR_TOKEN",
                TOKEN));
    balancer.awaitReady(Duration.ofSeconds(240));
  }

  @AfterAll
  static void stop() throws Exception {
    if (balancer != null) {
      balancer.close();
    }
    if (member != null) {
      member.shutdown();
    }
  }

  @Test
  void forgedNodeRecordsAreNeitherListedNorPlacedNorLogged() throws Exception {
    IMap<String, String> nodes = member.getMap(ClusterNames.NODES_MAP);
    put(nodes, "honest", record("honest", HONEST_URL, "http://127.0.0.1:9"));
    put(nodes, "forged-url", record("forged-url", "wss://attacker.invalid/steal", null));
    put(nodes, "forged-user", record("forged-user", "ws://attacker:pw@127.0.0.1:9/ws", null));
    put(nodes, "forged-scheme", record("forged-scheme", "https://attacker.invalid/ws", null));
    put(nodes, "forged-admin", record("forged-admin", HONEST_URL, "http://169.254.169.254:80"));
    put(nodes, "forged-id", record("attacker id", HONEST_URL, null));

    Set<String> listed = awaitListed("honest");
    assertEquals(Set.of("honest"), listed, "only the honest record is a live node");
    assertPlacementsNameOnly(HONEST_URL, 3);

    String log = awaitLog("node records refused");
    assertFalse(log.contains("attacker"), "forged content reached the log:\n" + log);
    assertFalse(log.contains("169.254.169.254"), "forged content reached the log:\n" + log);
  }

  /**
   * Creates rooms until {@code count} were placed; every placement must name {@code url}. A 503
   * (the balancer's bounded answer while a cluster read is slow) places nothing and is skipped.
   */
  private static void assertPlacementsNameOnly(String url, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
    int placed = 0;
    while (placed < count) {
      assertTrue(System.nanoTime() < deadline, "only " + placed + " rooms placed");
      HttpResponse<String> r =
          JarProcess.HTTP.send(
              HttpRequest.newBuilder(URI.create(balancer.base() + "/api/rooms"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 503) {
        TimeUnit.MILLISECONDS.sleep(200);
        continue;
      }
      assertEquals(201, r.statusCode(), r.body());
      assertEquals(url, new JsonObject(r.body()).getJsonObject("node").getString("url"), r.body());
      placed++;
    }
  }

  private static void put(IMap<String, String> nodes, String key, NodeLoad load) {
    nodes.put(key, load.toJson().encode(), 60, TimeUnit.SECONDS);
  }

  private static NodeLoad record(String id, String url, String adminUrl) {
    return new NodeLoad(
        id, url, NodeLoad.UP, 0, 0, 0, 0, 0, 0, 0, 0, System.currentTimeMillis(), adminUrl);
  }

  /** Polls GET /api/nodes until {@code expected} is listed; returns every listed id then. */
  private static Set<String> awaitListed(String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
    while (true) {
      HttpResponse<String> r =
          JarProcess.HTTP.send(
              HttpRequest.newBuilder(URI.create(balancer.base() + "/api/nodes"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonArray listed = new JsonObject(r.body()).getJsonArray("nodes");
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < listed.size(); i++) {
        ids.add(listed.getJsonObject(i).getString("id"));
      }
      if (ids.contains(expected)) {
        return ids;
      }
      assertTrue(System.nanoTime() < deadline, "never listed " + expected + ": " + ids);
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private static String awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
    while (true) {
      String log = Files.readString(balancer.log);
      if (log.contains(text)) {
        return log;
      }
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log:\n" + log);
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
