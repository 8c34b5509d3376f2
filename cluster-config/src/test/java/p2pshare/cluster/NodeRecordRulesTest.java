package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which node records the balancer believes (issue 14 finding 7). */
class NodeRecordRulesTest {
  @Test
  void signalingUrlsAreWsOrWssToAHostWithPathWs() {
    for (String ok :
        new String[] {
          "ws://localhost:8081/ws",
          "wss://p2p.example.com/ws",
          "ws://127.0.0.1:1/node-1/ws",
          "wss://[::1]:9/ws",
          "wss://signal-7.example.net:8443/ws"
        }) {
      assertTrue(NodeRecordRules.validUrl(ok), ok);
    }
    for (String bad :
        new String[] {
          "https://p2p.example.com/ws",
          "javascript:alert(1)",
          "ws://user:pw@p2p.example.com/ws",
          "ws://@p2p.example.com/ws",
          "ws:///ws",
          "ws://p2p.example.com:0/ws",
          "ws://p2p.example.com:70000/ws",
          "ws://p2p.example.com/ws?x=1",
          "ws://p2p.example.com/ws#f",
          "ws://p2p.example.com/",
          "ws://p2p.example.com/evil",
          "ws://p2p.example.com/../ws/x",
          "ws://p2p.example.com/%2e%2e/ws",
          "ws://p2p.example.com/../ws",
          "ws://p2p.example.com/./ws",
          "/ws",
          "ws://p2p.example.com/" + "a".repeat(NodeRecordRules.MAX_URL_CHARS) + "/ws"
        }) {
      assertFalse(NodeRecordRules.validUrl(bad), bad);
    }
    assertFalse(NodeRecordRules.validUrl(null));
  }

  @Test
  void adminUrlsAreHttpToAPrivateOrLoopbackAddressOnly() {
    for (String ok :
        new String[] {
          "http://127.0.0.1:8081",
          "http://10.1.2.3:8081/",
          "https://172.20.0.4:9000",
          "http://192.168.1.9:8081",
          "http://100.64.3.4:8081",
          "http://[fd00::5]:8081",
          "http://[::1]:8081"
        }) {
      assertTrue(NodeRecordRules.validAdminUrl(ok), ok);
    }
    for (String bad :
        new String[] {
          "http://169.254.169.254:80",
          "http://169.254.169.254",
          "http://[fe80::1]:80",
          "http://8.8.8.8:80",
          "http://metadata.google.internal:80",
          "http://localhost:8081",
          "http://u:p@127.0.0.1:8081",
          "http://127.0.0.1:8081/latest/meta-data",
          "http://127.0.0.1:8081?x",
          "file:///etc/passwd",
          "gopher://127.0.0.1:8081",
          "http://127.0.0.1"
        }) {
      assertFalse(NodeRecordRules.validAdminUrl(bad), bad);
    }
  }

  @Test
  void aRecordNamesTheFirstFieldThatFails() {
    assertNull(NodeRecordRules.refusedField(load("n1", "ws://127.0.0.1:1/ws", null)));
    assertNull(
        NodeRecordRules.refusedField(load("n1", "ws://127.0.0.1:1/ws", "http://10.0.0.2:8081")));
    assertEquals("id", NodeRecordRules.refusedField(load("a b", "ws://127.0.0.1:1/ws", null)));
    assertEquals("id", NodeRecordRules.refusedField(load(null, "ws://127.0.0.1:1/ws", null)));
    assertEquals("url", NodeRecordRules.refusedField(load("n1", "wss://evil.example/x", null)));
    assertEquals("url", NodeRecordRules.refusedField(load("n1", null, null)));
    assertEquals(
        "adminUrl",
        NodeRecordRules.refusedField(
            load("n1", "ws://127.0.0.1:1/ws", "http://169.254.169.254:80")));
  }

  @Test
  void aNodeRefusesToStartWithAPublicUrlTheBalancerWouldIgnore() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                EnvConfig.from(Map.of("PUBLIC_URL", "ws://user:pw@p2p.example.com/ws"), Role.NODE));
    assertTrue(e.getMessage().contains("PUBLIC_URL"), e.getMessage());
  }

  private static NodeLoad load(String id, String url, String adminUrl) {
    return new NodeLoad(id, url, NodeLoad.UP, 0, 0, 0, 0, 0, 0, 0, 0, 0, adminUrl);
  }
}
