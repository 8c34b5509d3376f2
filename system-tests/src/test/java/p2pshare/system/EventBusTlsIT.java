package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.EventBusTls;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.TestCluster;
import p2pshare.signaling.support.WsClient;

/**
 * Issue 14 finding 7, event-bus TLS (the option of docs/OPERATIONS.md): three real node jars in one
 * Hazelcast cluster; two hold certificates of the cluster's CA, the third one of another CA.
 * Signals cross between the two (TLS with client certificates works), and never from the third.
 */
class EventBusTlsIT {
  /** Time the rogue node's signal is given to (wrongly) arrive. */
  static final long ROGUE_WINDOW_MS = 8_000;

  static Path dir;
  static final List<JarProcess> nodes = new ArrayList<>();
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("eb-tls");
    ca("ca");
    ca("rogue-ca");
    cert("n1", "ca");
    cert("n2", "ca");
    cert("n3", "rogue-ca");
    String cluster = "eb-tls-" + UUID.randomUUID();
    int[] hz = {JarProcess.freePort(), JarProcess.freePort(), JarProcess.freePort()};
    String members = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
    String[][] tls = {{"n1", "ca"}, {"n2", "ca"}, {"n3", "rogue-ca"}};
    for (int i = 0; i < 3; i++) {
      int port = JarProcess.freePort();
      Map<String, String> env = new HashMap<>();
      env.put("NODE_ID", tls[i][0]);
      env.put("HOST", "127.0.0.1");
      env.put("PORT", String.valueOf(port));
      env.put("CLUSTER_NAME", cluster);
      env.put("CLUSTER_HOST", "127.0.0.1");
      env.put("CLUSTER_PORT", String.valueOf(hz[i]));
      env.put("CLUSTER_MEMBERS", members);
      env.put(EventBusTls.CERT, dir.resolve(tls[i][0] + ".crt").toString());
      env.put(EventBusTls.KEY, dir.resolve(tls[i][0] + ".key").toString());
      env.put(EventBusTls.CA, dir.resolve(tls[i][1] + ".crt").toString());
      nodes.add(JarProcess.start("nodeJar", "eb-tls-" + tls[i][0], port, env));
    }
    for (JarProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(240));
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      TestCluster.await(vertx.close());
    }
    for (JarProcess n : nodes) {
      n.close();
    }
  }

  @Test
  void membersWithTheClustersCaSignalEachOtherARogueCertificateReachesNoOne() throws Exception {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(vertx, nodes.get(0).port);
        WsClient b = WsClient.connect(vertx, nodes.get(1).port);
        WsClient c = WsClient.connect(vertx, nodes.get(2).port)) {
      String idA = a.join(room).getString("peerId");
      b.join(room);
      c.join(room); // membership is Hazelcast's: the rogue node still sees the room

      c.send(signal(idA, "from-rogue"));
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROGUE_WINDOW_MS);
      List<JsonObject> seen = new ArrayList<>();
      while (System.nanoTime() < until) {
        seen.addAll(a.drain());
        TimeUnit.MILLISECONDS.sleep(100);
      }
      b.send(signal(idA, "from-member"));
      JsonObject fromMember =
          a.next(m -> "signal".equals(m.getString("type")), "the member's signal");
      assertEquals("from-member", fromMember.getJsonObject("data").getString("v"));
      seen.addAll(a.drain());
      assertTrue(
          seen.stream()
              .noneMatch(
                  m ->
                      "signal".equals(m.getString("type"))
                          && "from-rogue".equals(m.getJsonObject("data").getString("v"))),
          "the rogue node's signal arrived: " + seen);
    }
  }

  private static JsonObject signal(String to, String value) {
    return new JsonObject()
        .put("type", "signal")
        .put("to", to)
        .put("data", new JsonObject().put("v", value));
  }

  private static void ca(String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-subj",
        "/CN=" + name);
  }

  private static void cert(String name, String ca) throws Exception {
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".crt",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command));
  }
}
