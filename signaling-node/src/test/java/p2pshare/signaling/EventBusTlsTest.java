package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.ClusterRuntime;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.EventBusTls;
import p2pshare.cluster.Ids;
import p2pshare.cluster.Role;
import p2pshare.signaling.cluster.DeliverFrame;
import p2pshare.signaling.cluster.NodeMessages;
import p2pshare.signaling.protocol.ServerMessages;
import p2pshare.signaling.support.FreePorts;
import p2pshare.signaling.support.TestCertificates;
import p2pshare.signaling.support.TestCluster;
import p2pshare.signaling.support.WsClient;

/**
 * Issue 14 finding 7 (forged deliveries): with EVENTBUS_TLS_* two real nodes signal each other over
 * TLS, and a Hazelcast member of the same cluster whose event bus has no certificate of the
 * cluster's CA (none, or one of another CA) can no longer deliver a forged signal or peer-joined.
 * Without TLS the same stranger's messages are delivered and answered (the attack).
 */
class EventBusTlsTest {
  /** How long the stranger waits for a node to acknowledge its forged peer-joined. */
  static final long FORGED_ACK_TIMEOUT_MS = 5_000;

  static final String FORGED_PEER = "forged-peer-id-0000000";

  static TestCertificates certs;
  static TestCluster cluster;
  static Vertx clientVertx;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.inTempDir();
    certs.ca("cluster-ca");
    certs.cert("node", "cluster-ca");
    certs.ca("other-ca");
    certs.cert("stranger", "other-ca");
    cluster = TestCluster.start(2, tlsEnv("node", "cluster-ca"));
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestCluster.await(clientVertx.close());
    cluster.close();
  }

  @Test
  void nodesWithCertificatesOfTheClusterCaSignalEachOther() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      String idA = a.join(room).getString("peerId");
      String idB = b.join(room).getString("peerId");
      assertEquals(idB, a.next("peer-joined").getJsonObject("peer").getString("id"));
      b.send(signal(idA, "to-a"));
      JsonObject atA = a.next("signal");
      assertEquals(idB, atA.getString("from"));
      assertEquals("to-a", atA.getJsonObject("data").getString("v"));
      a.send(signal(idB, "to-b"));
      assertEquals("to-b", b.next("signal").getJsonObject("data").getString("v"));
    }
  }

  @ParameterizedTest(name = "stranger's certificate: {0}")
  @ValueSource(strings = {"none", "another CA's"})
  void aMemberWithoutACertificateOfTheClusterCaDeliversNothing(String certificate) {
    String room = Ids.randomId();
    Map<String, String> strangerEnv = strangerEnv();
    if (!certificate.equals("none")) {
      strangerEnv.putAll(tlsEnv("stranger", "other-ca"));
    }
    ClusterRuntime stranger =
        TestCluster.await(ClusterBoot.start(EnvConfig.from(strangerEnv, Role.NODE)));
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      String idA = a.join(room).getString("peerId");
      String idB = b.join(room).getString("peerId");
      a.next("peer-joined");
      String nodeA = ClusterNames.nodeAddress(cluster.nodeId(0));

      // A signal "from" B, and a peer-joined of a peer that does not exist, both in the name of
      // B's node (a live node, so only the transport can refuse them).
      stranger
          .vertx()
          .eventBus()
          .send(
              nodeA,
              new DeliverFrame(
                      List.of(idA),
                      ServerMessages.signal(idB, "{\"v\":\"forged\"}"),
                      cluster.nodeId(1),
                      false)
                  .encode());
      JsonObject forgedJoin =
          NodeMessages.joined(
                  room, FORGED_PEER, null, cluster.nodeId(1), Long.MAX_VALUE, List.of(idA))
              .put(NodeMessages.FROM, cluster.nodeId(1));
      Future<Object> ack =
          stranger
              .vertx()
              .eventBus()
              .request(
                  nodeA, forgedJoin, new DeliveryOptions().setSendTimeout(FORGED_ACK_TIMEOUT_MS))
              .map(m -> m.body());
      Throwable refused = awaitFailure(ack);
      assertNotNull(refused, "node-1 acknowledged the stranger's forged peer-joined");

      // Sent by B after the stranger gave up: whatever the stranger got through came before it.
      b.send(signal(idA, "honest"));
      JsonObject first = a.nextAny();
      assertEquals("signal", first.getString("type"), "forged delivery reached A: " + first);
      assertEquals("honest", first.getJsonObject("data").getString("v"), "forged: " + first);
    } finally {
      TestCluster.await(stranger.close());
    }
  }

  private static Map<String, String> tlsEnv(String name, String ca) {
    return Map.of(
        EventBusTls.CERT, certs.crt(name).toString(),
        EventBusTls.KEY, certs.key(name).toString(),
        EventBusTls.CA, certs.crt(ca).toString());
  }

  /** A member of the cluster that runs no signaling node: only Hazelcast and an event bus. */
  private static Map<String, String> strangerEnv() {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ID", "stranger");
    env.put("HOST", "127.0.0.1");
    env.put("PORT", String.valueOf(FreePorts.next()));
    env.put("CLUSTER_NAME", cluster.clusterName());
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(port));
    env.put(
        "CLUSTER_MEMBERS",
        cluster.clusterPorts().stream()
            .map(p -> "127.0.0.1:" + p)
            .collect(Collectors.joining(",")));
    return env;
  }

  private static JsonObject signal(String to, String value) {
    return new JsonObject()
        .put("type", "signal")
        .put("to", to)
        .put("data", new JsonObject().put("v", value));
  }

  /** The future's failure, or null when it succeeded. */
  private static Throwable awaitFailure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
