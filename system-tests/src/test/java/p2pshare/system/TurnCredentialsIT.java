package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.TestCluster;
import p2pshare.signaling.support.WsClient;

/**
 * Debian's coturn with use-auth-secret on 127.0.0.1 accepts the time-limited credentials a node
 * hands out in welcome.iceServers, and refuses expired or forged ones.
 */
class TurnCredentialsIT {
  static final String SECRET = "it-secret-" + UUID.randomUUID();
  static final int TTL_S = 600;
  static Process turn;
  static int turnPort;
  static JarProcess node;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    turnPort = JarProcess.freePort();
    Path turnLog = Files.createTempFile("coturn", ".log");
    turn =
        new ProcessBuilder(
                "turnserver",
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--listening-port=" + turnPort,
                "--min-port=49200",
                "--max-port=49400",
                "--use-auth-secret",
                "--static-auth-secret=" + SECRET,
                "--realm=p2p.test",
                "--allow-loopback-peers",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--log-file=stdout")
            .redirectErrorStream(true)
            .redirectOutput(turnLog.toFile())
            .start();
    int port = JarProcess.freePort();
    node =
        JarProcess.start(
            "nodeJar",
            "turn-node",
            port,
            Map.of(
                "PORT",
                String.valueOf(port),
                "HOST",
                "127.0.0.1",
                "CLUSTER_NAME",
                "turn-" + UUID.randomUUID(),
                "CLUSTER_PORT",
                String.valueOf(JarProcess.freePort()),
                "TURN_URLS",
                "stun:127.0.0.1:" + turnPort + ",turn:127.0.0.1:" + turnPort + "?transport=udp",
                "TURN_SECRET",
                SECRET,
                "TURN_TTL_S",
                String.valueOf(TTL_S)));
    node.awaitReady(Duration.ofSeconds(90));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      TestCluster.await(vertx.close());
    }
    node.close();
    turn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Allocates a relay with turnutils_uclient (coturn's own client): exit 0 = allocated. */
  static int allocate(String username, String credential) throws Exception {
    Process p =
        new ProcessBuilder(
                "turnutils_uclient",
                "-p",
                String.valueOf(turnPort),
                "-u",
                username,
                "-w",
                credential,
                "-n",
                "1",
                "-y",
                "-c",
                "127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "turnutils_uclient finished");
    return p.exitValue();
  }

  static String hmac(String username) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder()
        .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void welcomeCredentialsAllocateARelayExpiredAndForgedOnesDoNot() throws Exception {
    try (WsClient client = WsClient.connect(vertx, node.port)) {
      JsonObject welcome = client.join(Ids.randomId());
      List<Object> servers = welcome.getJsonArray("iceServers").getList();
      assertEquals(2, servers.size());
      JsonObject relay = welcome.getJsonArray("iceServers").getJsonObject(1);
      String username = relay.getString("username");
      long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
      long now = System.currentTimeMillis() / 1000;
      assertTrue(Math.abs(expiry - (now + TTL_S)) < 30, "expires TURN_TTL_S from now: " + username);
      assertEquals(welcome.getString("peerId"), username.substring(username.indexOf(':') + 1));

      assertEquals(
          0, allocate(username, relay.getString("credential")), "the node's credential works");

      String expired = (now - 5) + ":" + welcome.getString("peerId");
      assertNotEquals(0, allocate(expired, hmac(expired)), "an expired credential is refused");
      assertNotEquals(
          0, allocate(username, hmac(username + "x")), "a forged credential is refused");
    }
  }
}
