package p2pshare.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml parses (anchors and merge keys resolved) into the balancer, 3 nodes, coturn,
 * Prometheus and Grafana, wired together the way the operating contract needs.
 */
class ComposeFileTest {
  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Z0-9_]+):-([^}]*)}");

  private static Path root;
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() {
    root = DeployFiles.root();
    Map<String, Object> compose =
        new Yaml().load(DeployFiles.read(root.resolve("docker-compose.yml")));
    services = (Map<String, Map<String, Object>>) compose.get("services");
    assertNotNull(services, "services");
  }

  /** Compose's ${VAR:-default}, resolved to the default (what a plain `docker-compose up` uses). */
  private static String interpolate(Object value) {
    Matcher m = DEFAULTED.matcher(String.valueOf(value));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(String service) {
    Object e = services.get(service).get("environment");
    assertTrue(e instanceof Map, service + ": environment as a mapping");
    Map<String, String> out = new java.util.HashMap<>();
    ((Map<String, Object>) e).forEach((k, v) -> out.put(k, interpolate(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> list(String service, String key) {
    Object v = services.get(service).get(key);
    return v == null
        ? List.of()
        : ((List<Object>) v).stream().map(ComposeFileTest::interpolate).toList();
  }

  @Test
  void hasTheWholeStack() {
    assertTrue(
        services
            .keySet()
            .containsAll(
                List.of("balancer", "node1", "node2", "node3", "coturn", "prometheus", "grafana")),
        "services: " + services.keySet());
    for (String s : List.of("balancer", "node1", "node2", "node3")) {
      Map<String, Object> svc = services.get(s);
      Map<?, ?> build = (Map<?, ?>) svc.get("build");
      assertNotNull(build, s + " builds the image");
      assertEquals("deploy/Dockerfile", build.get("dockerfile"));
      assertTrue(Files.exists(root.resolve("deploy/Dockerfile")));
      Map<?, ?> args = (Map<?, ?>) build.get("args");
      assertTrue(
          args.keySet().containsAll(Set.of("BUILD_IMAGE", "NODE_IMAGE", "RUNTIME_IMAGE")),
          s + ": base images are build arguments");
      String grace = String.valueOf(svc.get("stop_grace_period"));
      assertTrue(
          Integer.parseInt(grace.replace("s", "")) > DeployFiles.DRAIN_S,
          s + ": stop_grace_period must outlast the " + DeployFiles.DRAIN_S + " s drain");
    }
  }

  /** The host part of each host[:port] of a CLUSTER_MEMBERS list. */
  private static List<String> memberHosts(String members) {
    return java.util.Arrays.stream(members.split(","))
        .map(String::trim)
        .map(m -> m.contains(":") ? m.substring(0, m.indexOf(':')) : m)
        .toList();
  }

  @Test
  void nodesJoinOneClusterByServiceName() {
    Set<String> ids = new TreeSet<>();
    for (String node : NODES) {
      Map<String, String> e = env(node);
      assertEquals("node", e.get("ROLE"), node);
      assertTrue(ids.add(e.get("NODE_ID")), node + ": NODE_ID unique");
      List<String> members = memberHosts(e.get("CLUSTER_MEMBERS"));
      for (String other : NODES) {
        if (!other.equals(node)) {
          assertTrue(members.contains(other), node + ": CLUSTER_MEMBERS names " + other);
        }
      }
      assertTrue(members.contains("balancer"), node + ": CLUSTER_MEMBERS names the balancer");
      assertEquals(env("balancer").get("CLUSTER_NAME"), e.get("CLUSTER_NAME"), "one cluster name");
    }
    List<String> balancerMembers = memberHosts(env("balancer").get("CLUSTER_MEMBERS"));
    assertTrue(balancerMembers.containsAll(NODES), "the balancer names the nodes");
    assertEquals("balancer", env("balancer").get("ROLE"));
  }

  @Test
  void eachNodeIsPublishedAtItsPublicUrl() {
    for (String node : NODES) {
      Map<String, String> e = env(node);
      String port = e.get("PORT");
      assertEquals("ws://localhost:" + port + "/ws", e.get("PUBLIC_URL"), node);
      assertTrue(
          list(node, "ports").contains("127.0.0.1:" + port + ":" + port),
          node + " publishes " + port + " on this machine only");
    }
    assertTrue(list("balancer", "ports").contains("8080:8080"), "the app at localhost:8080");
  }

  /** Issue 14 finding 6: only the balancer and TURN face the network. */
  @Test
  void onlyTheBalancerAndTurnArePublishedBeyondThisMachine() {
    for (String service : services.keySet()) {
      for (String port : list(service, "ports")) {
        boolean open = !port.startsWith("127.0.0.1:");
        if (open) {
          assertTrue(
              service.equals("balancer") || service.equals("coturn"),
              service + " publishes " + port + " beyond loopback");
        }
      }
    }
  }

  /** Issue 14 finding 6: no placeholder secret, no default Grafana admin, no lifecycle API. */
  @Test
  void secretsAreRequiredAndOperatorSurfacesClosed() {
    String text = DeployFiles.read(root.resolve("docker-compose.yml"));
    for (String required : List.of("TURN_SECRET", "OPERATOR_TOKEN", "GRAFANA_ADMIN_PASSWORD")) {
      assertTrue(
          text.contains("${" + required + ":?"),
          required + " is required (compose refuses to start)");
      assertFalse(text.contains("${" + required + ":-"), required + " has no default value");
    }
    assertFalse(text.contains("change-me"), "no placeholder secret");
    assertFalse(String.join(" ", list("prometheus", "command")).contains("enable-lifecycle"));
    assertFalse(String.join(" ", list("prometheus", "command")).contains("enable-admin-api"));
    Map<String, String> grafana = env("grafana");
    assertNotEquals("true", grafana.get("GF_AUTH_ANONYMOUS_ENABLED"), "no anonymous Grafana");
    for (String s : List.of("balancer", "node1", "node2", "node3")) {
      assertTrue(env(s).get("OPERATOR_TOKEN").startsWith("${OPERATOR_TOKEN:?"), s);
    }
    for (String node : NODES) {
      int ttl = Integer.parseInt(env(node).getOrDefault("TURN_TTL_S", "600"));
      assertTrue(ttl <= 3600, node + ": TURN credentials are short-lived, not " + ttl + " s");
    }
  }

  /** Issue 14 finding 1: coturn runs on the shipped, locked-down config. */
  @Test
  void coturnRunsOnTheShippedLockedDownConfig() {
    List<String> args = list("coturn", "command");
    assertFalse(args.contains("-n"), "-n would ignore the config file");
    int c = args.indexOf("-c");
    assertTrue(c >= 0, "coturn -c <config>");
    String inContainer = args.get(c + 1);
    String mount =
        list("coturn", "volumes").stream()
            .filter(v -> v.contains(":" + inContainer))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the config is mounted at " + inContainer));
    assertEquals("./" + DeployFiles.COTURN_CONF, mount.substring(0, mount.indexOf(':')));
    DeployFiles.assertCoturnLockedDown(DeployFiles.read(root.resolve(DeployFiles.COTURN_CONF)));
    assertFalse(args.contains("--allow-loopback-peers"));
  }

  @Test
  void coturnSharesItsSecretWithTheNodes() {
    List<String> args = list("coturn", "command");
    String secret =
        args.stream()
            .filter(a -> a.startsWith("--static-auth-secret="))
            .map(a -> a.substring("--static-auth-secret=".length()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("coturn: --static-auth-secret"));
    assertFalse(secret.isBlank());
    for (String node : NODES) {
      Map<String, String> e = env(node);
      assertEquals(secret, e.get("TURN_SECRET"), node + " has coturn's secret");
      for (String url : e.get("TURN_URLS").split(",")) {
        assertTrue(url.matches("turns?:[^:]+:3478(\\?transport=(udp|tcp))?"), node + ": " + url);
      }
    }
    List<String> ports = list("coturn", "ports");
    assertTrue(ports.contains("3478:3478/udp") && ports.contains("3478:3478/tcp"), "" + ports);
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEveryNodeAndTheBalancer() {
    String mount =
        list("prometheus", "volumes").stream()
            .filter(v -> v.endsWith(":/etc/prometheus/prometheus.yml:ro"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("prometheus.yml mounted"));
    Path config = root.resolve(mount.substring(0, mount.indexOf(':')));
    Map<String, Object> prom = new Yaml().load(DeployFiles.read(config));
    Set<String> targets = new TreeSet<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) prom.get("scrape_configs")) {
      for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
        targets.addAll((List<String>) sc.get("targets"));
      }
    }
    List<String> expected = new ArrayList<>();
    for (String node : NODES) {
      expected.add(node + ":" + env(node).get("PORT"));
    }
    expected.add("balancer:" + env("balancer").get("PORT"));
    assertTrue(targets.containsAll(expected), "targets " + targets + " cover " + expected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void grafanaIsProvisionedWithTheDashboard() {
    List<String> volumes = list("grafana", "volumes");
    assertTrue(volumes.stream().anyMatch(v -> v.endsWith(":/etc/grafana/provisioning:ro")));
    Path grafana = root.resolve("deploy/grafana");
    Map<String, Object> ds =
        new Yaml()
            .load(DeployFiles.read(grafana.resolve("provisioning/datasources/prometheus.yml")));
    String uid = (String) ((List<Map<String, Object>>) ds.get("datasources")).get(0).get("uid");
    Map<String, Object> dash =
        new Yaml().load(DeployFiles.read(grafana.resolve("dashboards/p2p-share.json")));
    StringBuilder exprs = new StringBuilder();
    for (Map<String, Object> panel : (List<Map<String, Object>>) dash.get("panels")) {
      assertEquals(uid, ((Map<String, Object>) panel.get("datasource")).get("uid"));
      for (Map<String, Object> t : (List<Map<String, Object>>) panel.get("targets")) {
        exprs.append(t.get("expr")).append('\n');
      }
    }
    for (String metric :
        List.of(
            "p2p_connections",
            "p2p_rooms",
            "p2p_messages_in_total",
            "p2p_messages_out_total",
            "p2p_cross_node_messages_total",
            "p2p_event_loop_lag_ms",
            "jvm_memory_used_bytes",
            "p2p_errors_total",
            "p2p_resumes_total")) {
      assertTrue(exprs.toString().contains(metric), "the dashboard charts " + metric);
    }
    assertTrue(exprs.toString().contains("by (node"), "charts are per node");
  }

  @Test
  void everyEnvironmentVariableIsInTheContract() {
    for (String s : List.of("balancer", "node1", "node2", "node3")) {
      Set<String> unknown = new TreeSet<>(env(s).keySet());
      unknown.removeAll(DeployFiles.CONTRACT_ENV);
      unknown.removeAll(DeployFiles.IMAGE_ENV);
      assertTrue(unknown.isEmpty(), s + ": not in the operating contract: " + unknown);
    }
  }
}
