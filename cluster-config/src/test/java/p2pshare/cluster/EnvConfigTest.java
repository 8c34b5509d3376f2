package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvConfigTest {
  @Test
  void defaultsFollowTheContract() {
    EnvConfig node = EnvConfig.from(Map.of(), Role.NODE);
    assertEquals("node-8081", node.nodeId());
    assertEquals(8081, node.port());
    assertEquals("0.0.0.0", node.host());
    assertEquals("ws://localhost:8081/ws", node.publicUrl());
    assertEquals("p2p-share", node.clusterName());
    assertEquals("127.0.0.1", node.clusterHost());
    assertEquals(5701, node.clusterPort());
    assertEquals(List.of("127.0.0.1"), node.clusterMembers());
    assertEquals(List.of(), node.allowedOrigins());
    assertEquals(30, node.resumeWindowS());
    assertEquals(45, node.idleTimeoutS());
    assertEquals(64, node.maxPeersPerRoom());
    assertEquals(EnvConfig.Discovery.TCP_IP, node.discovery());
    assertEquals(600, node.turnTtlS(), "TURN credentials are short-lived by default");
    assertEquals(256, node.maxConnectionsPerIp());
    assertEquals(List.of(), node.trustedProxies());
    assertEquals("", node.operatorToken());
    EnvConfig balancer = EnvConfig.from(Map.of(), Role.BALANCER);
    assertEquals("balancer-8080", balancer.nodeId());
    assertEquals(8080, balancer.port());
  }

  @Test
  void readsEveryVariable() {
    EnvConfig c =
        EnvConfig.from(
            Map.ofEntries(
                Map.entry("NODE_ID", "n7"),
                Map.entry("PORT", "9000"),
                Map.entry("PUBLIC_URL", "wss://x.example/ws"),
                Map.entry("CLUSTER_MEMBERS", "10.0.0.1:5701, host-b ,[::1]:5702"),
                Map.entry("ALLOWED_ORIGINS", "https://a.example,https://b.example"),
                Map.entry("RESUME_WINDOW_S", "5"),
                Map.entry("IDLE_TIMEOUT_S", "6"),
                Map.entry("MAX_PEERS_PER_ROOM", "7"),
                Map.entry("TURN_URLS", "turn:t:3478"),
                Map.entry("TURN_SECRET", "s"),
                Map.entry("TURN_TTL_S", "60"),
                Map.entry("CLUSTER_DISCOVERY", "kubernetes"),
                Map.entry("KUBERNETES_SERVICE_DNS", "svc.ns.svc.cluster.local"),
                Map.entry("MAX_CONNECTIONS_PER_IP", "0"),
                Map.entry("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1"),
                Map.entry("OPERATOR_TOKEN", "tok")),
            Role.NODE);
    assertEquals(0, c.maxConnectionsPerIp());
    assertEquals(List.of("10.0.0.0/8", "192.168.1.1"), c.trustedProxies());
    assertEquals("tok", c.operatorToken());
    assertTrue(!c.toString().contains("tok") && !c.toString().contains("=s,"), c.toString());
    assertEquals("n7", c.nodeId());
    assertEquals(List.of("10.0.0.1:5701", "host-b", "[::1]:5702"), c.clusterMembers());
    assertEquals(List.of("https://a.example", "https://b.example"), c.allowedOrigins());
    assertEquals(5, c.resumeWindowS());
    assertEquals(7, c.maxPeersPerRoom());
    assertEquals(EnvConfig.Discovery.KUBERNETES, c.discovery());
  }

  @Test
  void badValuesNameTheVariable() {
    for (Map.Entry<String, String> bad :
        Map.of(
                "PORT", "abc",
                "CLUSTER_PORT", "99999",
                "CLUSTER_MEMBERS", "a b",
                "IDLE_TIMEOUT_S", "-3",
                "PUBLIC_URL", "http://x",
                "CLUSTER_DISCOVERY", "multicast",
                "ASSET_BASE_URL", "javascript:alert(1)",
                "NODE_ID", "x".repeat(65),
                "MAX_CONNECTIONS_PER_IP", "-1",
                "TRUSTED_PROXIES", "10.0.0.0/40")
            .entrySet()) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> EnvConfig.from(Map.of(bad.getKey(), bad.getValue()), Role.NODE));
      assertTrue(e.getMessage().startsWith(bad.getKey() + "="), e.getMessage());
    }
  }
}
