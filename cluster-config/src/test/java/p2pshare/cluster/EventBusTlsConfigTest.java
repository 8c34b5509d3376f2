package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EVENTBUS_TLS_CERT/KEY/CA: all three or none, readable files, mutual TLS on a node's bus. */
class EventBusTlsConfigTest {
  @TempDir Path dir;

  @Test
  void noneSetMeansClearText() {
    assertEquals(Optional.empty(), EnvConfig.from(Map.of(), Role.NODE).eventBusTls());
    assertEquals(
        Optional.empty(),
        EnvConfig.from(Map.of(EventBusTls.CERT, " ", EventBusTls.KEY, ""), Role.NODE)
            .eventBusTls());
  }

  @Test
  void allThreeSwitchOnTlsWithClientCertificatesRequired() throws Exception {
    EnvConfig env = EnvConfig.from(allThree(), Role.NODE);
    EventBusTls tls = env.eventBusTls().orElseThrow();
    assertEquals(dir.resolve("node.crt").toString(), tls.certPath());
    EventBusOptions options = new EventBusOptions();
    tls.applyTo(options);
    assertTrue(options.isSsl());
    assertEquals(ClientAuth.REQUIRED, options.getClientAuth());
    assertTrue(options.getTrustOptions() != null && options.getKeyCertOptions() != null);
  }

  @Test
  void onlySomeSetStopsTheStartNamingTheMissingOne() throws Exception {
    Map<String, String> two =
        Map.of(
            EventBusTls.CERT, file("node.crt").toString(),
            EventBusTls.KEY, file("node.key").toString());
    ConfigException e = assertThrows(ConfigException.class, () -> EnvConfig.from(two, Role.NODE));
    assertTrue(e.getMessage().startsWith(EventBusTls.CA + "=''"), e.getMessage());
  }

  @Test
  void anUnreadableFileStopsTheStart() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(allThree());
    env.put(EventBusTls.KEY, dir.resolve("missing.key").toString());
    ConfigException e = assertThrows(ConfigException.class, () -> EnvConfig.from(env, Role.NODE));
    assertTrue(e.getMessage().startsWith(EventBusTls.KEY + "="), e.getMessage());
  }

  @Test
  void theBalancerHasNoEventBusAndIgnoresThem() throws Exception {
    assertEquals(Optional.empty(), EnvConfig.from(allThree(), Role.BALANCER).eventBusTls());
  }

  private Map<String, String> allThree() throws Exception {
    return Map.of(
        EventBusTls.CERT, file("node.crt").toString(),
        EventBusTls.KEY, file("node.key").toString(),
        EventBusTls.CA, file("ca.crt").toString());
  }

  private Path file(String name) throws Exception {
    Path p = dir.resolve(name);
    if (!Files.exists(p)) {
      Files.writeString(p, "-----BEGIN PLACEHOLDER-----\n");
    }
    return p;
  }
}
