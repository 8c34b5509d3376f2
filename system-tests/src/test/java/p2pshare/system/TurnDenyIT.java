package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 finding 1: Debian's coturn, started on 127.0.0.1 with the config the project ships
 * (deploy/coturn/turnserver.conf, which compose mounts and Kubernetes carries), refuses to relay to
 * private, loopback, link-local (169.254.169.254) and CGNAT addresses and refuses TCP relays, while
 * a public peer is permitted. Only per-run values are flags: port, relay address, the secret — and
 * --allow-loopback-peers, so that loopback is refused by the shipped deny list itself, not by
 * coturn's default.
 */
class TurnDenyIT {
  static final String SECRET = "deny-it-" + UUID.randomUUID();
  static Process turn;
  static int turnPort;
  static Path turnLog;

  static Path shippedConfig() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path conf = p.resolve("deploy/coturn/turnserver.conf");
      if (Files.exists(conf)) {
        return conf;
      }
    }
    throw new IllegalStateException("deploy/coturn/turnserver.conf not found");
  }

  @BeforeAll
  static void start() throws Exception {
    turnPort = JarProcess.freePort();
    turnLog = Files.createTempFile("coturn-deny", ".log");
    turn =
        new ProcessBuilder(
                "turnserver",
                "-c",
                shippedConfig().toString(),
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--listening-port=" + turnPort,
                "--min-port=49500",
                "--max-port=49700",
                "--static-auth-secret=" + SECRET,
                "--allow-loopback-peers",
                "--pidfile=" + Files.createTempFile("coturn", ".pid"),
                "--log-file=stdout")
            .redirectErrorStream(true)
            .redirectOutput(turnLog.toFile())
            .start();
    // ready once it answers a STUN request (the unauthenticated Allocate gets its 401)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (TurnClient probe = client()) {
        probe.allocate(TurnClient.UDP); // any STUN answer: it serves
        break;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline || !turn.isAlive()) {
          throw new IllegalStateException("coturn did not start: " + Files.readString(turnLog), e);
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (turn != null) {
      turn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static TurnClient client() throws java.io.IOException {
    String user = (System.currentTimeMillis() / 1000 + 600) + ":deny-test-peer";
    return TurnClient.udp(new InetSocketAddress("127.0.0.1", turnPort), user, hmac(user));
  }

  static String hmac(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRelayToAPrivateAddressIsRefusedAPublicOneIsNot() throws Exception {
    try (TurnClient c = client()) {
      TurnClient.Answer allocated = c.allocate(TurnClient.UDP);
      assertTrue(allocated.success(), "UDP relay allocated, error " + allocated.errorCode());
      for (String denied :
          List.of(
              "10.1.2.3",
              "172.16.5.5",
              "192.168.1.1",
              "169.254.169.254",
              "100.64.0.1",
              "127.0.0.1",
              "0.0.0.0")) {
        TurnClient.Answer a = c.createPermission(denied);
        assertFalse(a.success(), denied + " must not be reachable through the relay");
        assertEquals(403, a.errorCode(), denied + ": 403 Forbidden IP");
      }
      // the control: the same allocation may reach a public address
      TurnClient.Answer pub = c.createPermission("203.0.113.10");
      assertTrue(pub.success(), "a public peer is permitted, error " + pub.errorCode());
    }
  }

  @Test
  void aTcpRelayIsRefused() throws Exception {
    String user = (System.currentTimeMillis() / 1000 + 600) + ":deny-test-tcp";
    try (TurnClient c =
        TurnClient.tcp(new InetSocketAddress("127.0.0.1", turnPort), user, hmac(user))) {
      TurnClient.Answer a = c.allocate(TurnClient.TCP);
      assertFalse(a.success(), "a TCP relay allocation must be refused");
      assertEquals(442, a.errorCode(), "442 Unsupported Transport Protocol");
    }
  }
}
