package p2pshare.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Longer than 300 lines: its 16 checks share one parsed set of manifests.
 *
 * <p>Parses every manifest under deploy/k8s with the fabric8 Kubernetes model (typed: a misspelt
 * field is an error here, not a silently ignored key) and checks what running p2p-share needs.
 */
class KubernetesManifestsTest {
  private static final String NAMESPACE = "p2p-share";
  private static final Pattern DOC_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private static Path k8sDir;
  private static final List<HasMetadata> OBJECTS = new ArrayList<>();
  private static final Map<HasMetadata, String> SOURCE = new IdentityHashMap<>();

  @BeforeAll
  static void parseAll() throws IOException {
    k8sDir = DeployFiles.root().resolve("deploy/k8s");
    KubernetesSerialization serialization = new KubernetesSerialization();
    try (Stream<Path> files = Files.list(k8sDir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".yaml") || name.equals("kustomization.yaml")) {
          continue;
        }
        for (String doc : DOC_SEPARATOR.split(DeployFiles.read(file))) {
          if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
            continue;
          }
          Object parsed = serialization.unmarshal(doc);
          if (!(parsed instanceof HasMetadata object)) {
            fail(name + ": not a Kubernetes object: " + parsed);
            return;
          }
          OBJECTS.add(object);
          SOURCE.put(object, name);
        }
      }
    }
    assertFalse(OBJECTS.isEmpty(), "no manifests in " + k8sDir);
  }

  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static StatefulSet nodes() {
    return one(StatefulSet.class, "signaling-node");
  }

  private static Deployment balancer() {
    return one(Deployment.class, "balancer");
  }

  private static Map<String, PodTemplateSpec> workloads() {
    Map<String, PodTemplateSpec> w = new HashMap<>();
    w.put("StatefulSet/signaling-node", nodes().getSpec().getTemplate());
    w.put("Deployment/balancer", balancer().getSpec().getTemplate());
    return w;
  }

  private static Container container(PodTemplateSpec template) {
    assertEquals(1, template.getSpec().getContainers().size(), "one container per pod");
    return template.getSpec().getContainers().get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(e -> e.getValue())
        .findFirst()
        .orElse(null);
  }

  private static EnvVar envVar(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static ConfigMap config() {
    return one(ConfigMap.class, "p2p-share-env");
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    Map<String, Object> k = new Yaml().load(DeployFiles.read(k8sDir.resolve("kustomization.yaml")));
    @SuppressWarnings("unchecked")
    Set<String> listed = new TreeSet<>((List<String>) k.get("resources"));
    Set<String> files = new TreeSet<>(SOURCE.values());
    assertEquals(files, listed, "kustomization.yaml resources vs the manifests in deploy/k8s");
  }

  @Test
  void everyFieldIsKnownToTheModelAndEveryObjectIsInTheNamespace() {
    for (HasMetadata o : OBJECTS) {
      String where = SOURCE.get(o) + " " + o.getKind() + "/" + o.getMetadata().getName();
      List<String> unknown = new ArrayList<>();
      collectUnknownFields(o, where, unknown, new IdentityHashMap<>());
      assertTrue(unknown.isEmpty(), "fields the Kubernetes model does not know: " + unknown);
      if (o instanceof Namespace) {
        assertEquals(NAMESPACE, o.getMetadata().getName());
      } else {
        assertEquals(NAMESPACE, o.getMetadata().getNamespace(), where + " namespace");
      }
    }
  }

  /**
   * Walks the typed object graph; the model keeps keys it does not know in additionalProperties.
   */
  private static void collectUnknownFields(
      Object o, String path, List<String> out, Map<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        collectUnknownFields(item, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        collectUnknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add(path + " " + extra.keySet());
        }
      } else {
        collectUnknownFields(value, path + "." + m.getName().substring(3), out, seen);
      }
    }
  }

  @Test
  void probesPointAtHealthzAndReadyzOnTheServedPort() {
    workloads()
        .forEach(
            (name, template) -> {
              Container c = container(template);
              String port = env(c, "PORT");
              assertNotNull(port, name + " sets PORT");
              Probe liveness = c.getLivenessProbe();
              Probe readiness = c.getReadinessProbe();
              assertNotNull(liveness, name + " livenessProbe");
              assertNotNull(readiness, name + " readinessProbe");
              assertEquals("/healthz", liveness.getHttpGet().getPath(), name + " liveness path");
              assertEquals("/readyz", readiness.getHttpGet().getPath(), name + " readiness path");
              for (Probe p : new Probe[] {liveness, readiness, c.getStartupProbe()}) {
                if (p != null) {
                  assertEquals(
                      Integer.parseInt(port),
                      containerPort(c, p.getHttpGet().getPort()),
                      name + " probes the port the process listens on");
                }
              }
              if (c.getStartupProbe() != null) {
                assertEquals("/healthz", c.getStartupProbe().getHttpGet().getPath());
              }
            });
  }

  private static int containerPort(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return c.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
  }

  @Test
  void shutdownHonoursTheDrain() {
    workloads()
        .forEach(
            (name, template) -> {
              PodSpec spec = template.getSpec();
              Container c = container(template);
              assertNotNull(c.getLifecycle(), name + " lifecycle");
              assertNotNull(c.getLifecycle().getPreStop(), name + " preStop");
              int preStopS = preStopSeconds(c);
              Long grace = spec.getTerminationGracePeriodSeconds();
              assertNotNull(grace, name + " terminationGracePeriodSeconds");
              assertTrue(grace >= 15, name + " terminationGracePeriodSeconds >= 15");
              assertTrue(
                  grace >= preStopS + DeployFiles.DRAIN_S + 5,
                  name + ": grace " + grace + " s < preStop " + preStopS + " s + drain + margin");
            });
  }

  private static int preStopSeconds(Container c) {
    var preStop = c.getLifecycle().getPreStop();
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds().intValue();
    }
    assertNotNull(preStop.getExec(), "preStop is exec or sleep");
    List<String> cmd = preStop.getExec().getCommand();
    assertEquals("sleep", cmd.get(0), "preStop sleeps so endpoints drop the pod first");
    return Integer.parseInt(cmd.get(1));
  }

  @Test
  void resourcesAndSecurityAreSet() {
    workloads()
        .forEach(
            (name, template) -> {
              Container c = container(template);
              Map<String, Quantity> req = c.getResources().getRequests();
              Map<String, Quantity> lim = c.getResources().getLimits();
              for (String r : List.of("cpu", "memory")) {
                assertNotNull(req.get(r), name + " requests." + r);
                assertNotNull(lim.get(r), name + " limits." + r);
                assertTrue(
                    Quantity.getAmountInBytes(req.get(r))
                            .compareTo(Quantity.getAmountInBytes(lim.get(r)))
                        <= 0,
                    name + " request <= limit for " + r);
              }
              assertEquals(Boolean.TRUE, template.getSpec().getSecurityContext().getRunAsNonRoot());
              assertEquals(
                  Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), name);
              if (Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())) {
                assertTrue(
                    c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                    name + ": a read-only root needs a writable /tmp for the JVM and Vert.x");
              }
            });
  }

  @Test
  void hazelcastDiscoveryUsesTheHeadlessService() {
    Map<String, String> data = config().getData();
    assertEquals("kubernetes", data.get("CLUSTER_DISCOVERY"));
    String dns = data.get("KUBERNETES_SERVICE_DNS");
    assertNotNull(dns, "KUBERNETES_SERVICE_DNS");
    String[] parts = dns.split("\\.");
    Service headless = one(Service.class, parts[0]);
    assertEquals(
        headless.getMetadata().getName()
            + "."
            + headless.getMetadata().getNamespace()
            + ".svc.cluster.local",
        dns,
        "KUBERNETES_SERVICE_DNS is the headless service's full name");
    assertEquals("None", headless.getSpec().getClusterIP(), "headless: clusterIP None");
    assertEquals(
        Boolean.TRUE,
        headless.getSpec().getPublishNotReadyAddresses(),
        "members must find each other before they are ready (ready = joined)");
    String clusterPort = data.getOrDefault("CLUSTER_PORT", "5701");
    assertTrue(
        headless.getSpec().getPorts().stream()
            .anyMatch(p -> p.getPort() == Integer.parseInt(clusterPort)),
        "headless service exposes the Hazelcast port " + clusterPort);

    workloads()
        .forEach(
            (name, template) -> {
              assertTrue(
                  selects(headless.getSpec().getSelector(), template.getMetadata().getLabels()),
                  "the headless service selects " + name + " (every process is a member)");
              Container c = container(template);
              assertTrue(
                  c.getEnvFrom().stream()
                      .map(EnvFromSource::getConfigMapRef)
                      .anyMatch(r -> r != null && r.getName().equals("p2p-share-env")),
                  name + " takes the shared ConfigMap");
              EnvVar host = envVar(c, "CLUSTER_HOST");
              assertEquals(
                  "status.podIP",
                  host.getValueFrom().getFieldRef().getFieldPath(),
                  name + " advertises its pod IP to Hazelcast");
              assertTrue(
                  c.getPorts().stream()
                      .anyMatch(p -> p.getContainerPort() == Integer.parseInt(clusterPort)),
                  name + " declares the Hazelcast port");
              assertTrue(
                  c.getEnv().stream().noneMatch(e -> e.getName().equals("CLUSTER_MEMBERS")),
                  name + ": no TCP-IP member list in Kubernetes");
            });
  }

  @Test
  void everyEnvironmentVariableIsInTheContract() {
    Set<String> used = new TreeSet<>(config().getData().keySet());
    for (Secret s : all(Secret.class)) {
      if (s.getStringData() != null) {
        used.addAll(s.getStringData().keySet());
      }
      if (s.getData() != null) {
        used.addAll(s.getData().keySet());
      }
    }
    workloads().values().forEach(t -> container(t).getEnv().forEach(e -> used.add(e.getName())));
    Set<String> unknown =
        used.stream()
            .filter(
                n -> !DeployFiles.CONTRACT_ENV.contains(n) && !DeployFiles.IMAGE_ENV.contains(n))
            .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(unknown.isEmpty(), "not in the operating contract: " + unknown);
  }

  @Test
  void nodesAndBalancerHaveTheirRoleAndIdentity() {
    Container node = container(nodes().getSpec().getTemplate());
    Container bal = container(balancer().getSpec().getTemplate());
    assertEquals("node", env(node, "ROLE"));
    assertEquals("balancer", env(bal, "ROLE"));
    for (Container c : List.of(node, bal)) {
      assertEquals(
          "metadata.name",
          envVar(c, "NODE_ID").getValueFrom().getFieldRef().getFieldPath(),
          c.getName() + ": NODE_ID is the pod name");
    }
    String publicUrl = env(node, "PUBLIC_URL");
    assertNotNull(publicUrl, "nodes set PUBLIC_URL");
    assertTrue(publicUrl.startsWith("wss://"), "browsers reach nodes through TLS: " + publicUrl);
    assertTrue(nodes().getSpec().getReplicas() >= 3, "at least 3 nodes");
  }

  @Test
  void secretsComeFromASecretTheManifestsDoNotShip() {
    // issue 14 finding 6: a shipped Secret held a placeholder that every apply reset
    assertTrue(all(Secret.class).isEmpty(), "no Secret with a placeholder in the manifests");
    assertFalse(config().getData().containsKey("TURN_SECRET"), "no secret in the ConfigMap");
    assertFalse(config().getData().containsKey("OPERATOR_TOKEN"), "no token in the ConfigMap");
    Map<String, List<String>> needs =
        Map.of(
            "TURN_SECRET", List.of("node"),
            "OPERATOR_TOKEN", List.of("node", "balancer"));
    Map<String, Container> containers =
        Map.of(
            "node", container(nodes().getSpec().getTemplate()),
            "balancer", container(balancer().getSpec().getTemplate()));
    needs.forEach(
        (variable, who) ->
            who.forEach(
                w -> {
                  var ref = envVar(containers.get(w), variable).getValueFrom().getSecretKeyRef();
                  assertEquals("p2p-share-secrets", ref.getName(), w + " " + variable);
                  assertEquals(variable, ref.getKey());
                  assertFalse(Boolean.TRUE.equals(ref.getOptional()), "pods wait for the Secret");
                }));
    assertTrue(config().getData().get("TURN_URLS").startsWith("turn:"));
    assertTrue(Integer.parseInt(config().getData().get("TURN_TTL_S")) <= 3600, "short TURN TTL");
    assertTrue(Files.exists(k8sDir.resolve("secrets.env.example")), "how to create the Secret");
  }

  @Test
  void coturnRunsOnTheShippedLockedDownConfig() {
    ConfigMap coturn = one(ConfigMap.class, "p2p-share-coturn");
    String conf = coturn.getData().get("turnserver.conf");
    assertEquals(
        DeployFiles.read(DeployFiles.root().resolve(DeployFiles.COTURN_CONF)),
        conf,
        "deploy/k8s/coturn.yaml carries deploy/coturn/turnserver.conf unchanged");
    DeployFiles.assertCoturnLockedDown(conf);
    Deployment turn = one(Deployment.class, "coturn");
    Container c = container(turn.getSpec().getTemplate());
    assertTrue(c.getArgs().contains("-c") && !c.getArgs().contains("-n"), "" + c.getArgs());
    assertFalse(c.getArgs().contains("--allow-loopback-peers"));
    assertEquals(
        "p2p-share-secrets", envVar(c, "TURN_SECRET").getValueFrom().getSecretKeyRef().getName());
  }

  @Test
  void onlyClusterMembersReachTheClusterPorts() {
    var policy =
        one(
            io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class,
            "p2p-share-cluster-members");
    Map<String, String> selected = policy.getSpec().getPodSelector().getMatchLabels();
    for (PodTemplateSpec t : workloads().values()) {
      assertTrue(selects(selected, t.getMetadata().getLabels()), "the policy covers every member");
    }
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    for (var rule : policy.getSpec().getIngress()) {
      boolean fromMembers =
          rule.getFrom() != null
              && !rule.getFrom().isEmpty()
              && rule.getFrom().stream()
                  .allMatch(
                      peer ->
                          peer.getPodSelector() != null
                              && peer.getNamespaceSelector() == null
                              && selects(
                                  peer.getPodSelector().getMatchLabels(),
                                  nodes().getSpec().getTemplate().getMetadata().getLabels()));
      boolean httpOnly =
          rule.getPorts() != null
              && !rule.getPorts().isEmpty()
              && rule.getPorts().stream().allMatch(p -> "http".equals(p.getPort().getStrVal()));
      assertTrue(fromMembers || httpOnly, "a rule opens more than HTTP to non-members: " + rule);
    }
  }

  @Test
  void servicesSelectTheirPodsAndNamedPorts() {
    for (Service s : all(Service.class)) {
      List<PodTemplateSpec> matched =
          workloads().values().stream()
              .filter(t -> selects(s.getSpec().getSelector(), t.getMetadata().getLabels()))
              .toList();
      assertFalse(matched.isEmpty(), "service " + s.getMetadata().getName() + " selects no pods");
      for (ServicePort p : s.getSpec().getPorts()) {
        for (PodTemplateSpec t : matched) {
          containerPort(container(t), p.getTargetPort());
        }
      }
    }
  }

  @Test
  void disruptionBudgetsCoverBothWorkloads() {
    List<PodDisruptionBudget> pdbs = all(PodDisruptionBudget.class);
    workloads()
        .forEach(
            (name, template) ->
                assertTrue(
                    pdbs.stream()
                        .anyMatch(
                            p ->
                                selects(
                                    p.getSpec().getSelector().getMatchLabels(),
                                    template.getMetadata().getLabels())),
                    "a PodDisruptionBudget covers " + name));
    PodDisruptionBudget nodePdb = one(PodDisruptionBudget.class, "signaling-node");
    IntOrString max = nodePdb.getSpec().getMaxUnavailable();
    assertNotNull(max, "nodes: maxUnavailable");
    assertEquals(1, max.getIntVal(), "nodes are drained one at a time");
  }

  @Test
  void autoscalersScaleOnCpu() {
    List<HorizontalPodAutoscaler> hpas = all(HorizontalPodAutoscaler.class);
    for (String target : workloads().keySet()) {
      String[] kindName = target.split("/");
      HorizontalPodAutoscaler hpa =
          hpas.stream()
              .filter(
                  h ->
                      h.getSpec().getScaleTargetRef().getKind().equals(kindName[0])
                          && h.getSpec().getScaleTargetRef().getName().equals(kindName[1]))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no HPA for " + target));
      assertTrue(hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas());
      MetricSpec cpu =
          hpa.getSpec().getMetrics().stream()
              .filter(m -> "Resource".equals(m.getType()))
              .filter(m -> "cpu".equals(m.getResource().getName()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("HPA " + target + " has no CPU metric"));
      assertEquals("Utilization", cpu.getResource().getTarget().getType());
    }
    assertTrue(
        one(HorizontalPodAutoscaler.class, "signaling-node").getSpec().getMinReplicas() >= 3);
  }

  @Test
  void ingressCarriesWebSocketsToTheNodes() {
    Ingress ingress = one(Ingress.class, "p2p-share");
    Map<String, String> a = ingress.getMetadata().getAnnotations();
    assertEquals("1.1", a.get("nginx.ingress.kubernetes.io/proxy-http-version"));
    int idle = Integer.parseInt(config().getData().getOrDefault("IDLE_TIMEOUT_S", "45"));
    for (String key :
        List.of(
            "nginx.ingress.kubernetes.io/proxy-read-timeout",
            "nginx.ingress.kubernetes.io/proxy-send-timeout")) {
      assertNotNull(a.get(key), key);
      assertTrue(Integer.parseInt(a.get(key)) > idle, key + " must outlast IDLE_TIMEOUT_S");
    }
    List<HTTPIngressPath> paths =
        ingress.getSpec().getRules().stream()
            .map(IngressRule::getHttp)
            .flatMap(h -> h.getPaths().stream())
            .toList();
    HTTPIngressPath ws =
        paths.stream()
            .filter(p -> p.getPath().equals("/ws"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no /ws path"));
    Service wsService = one(Service.class, ws.getBackend().getService().getName());
    assertTrue(
        selects(
            wsService.getSpec().getSelector(),
            nodes().getSpec().getTemplate().getMetadata().getLabels()),
        "/ws goes to the signaling nodes");
    String portName = ws.getBackend().getService().getPort().getName();
    assertTrue(
        wsService.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(portName)),
        "/ws backend port exists on " + wsService.getMetadata().getName());
    HTTPIngressPath root =
        paths.stream()
            .filter(p -> p.getPath().equals("/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no / path"));
    assertEquals("balancer", root.getBackend().getService().getName());
    assertEquals("Exact", root.getPathType(), "/ alone, not every path under it");
    String host = ingress.getSpec().getRules().get(0).getHost();
    assertTrue(
        env(container(nodes().getSpec().getTemplate()), "PUBLIC_URL")
            .startsWith("wss://" + host + "/ws"),
        "PUBLIC_URL points at the Ingress host");
    assertTrue(
        config().getData().get("ALLOWED_ORIGINS").contains("https://" + host),
        "the Ingress host's origin may open sockets");
  }

  /** Issue 14 finding 6: the Ingress routes the client's paths, never the operator paths. */
  @Test
  void ingressExposesNoOperatorPath() {
    Ingress ingress = one(Ingress.class, "p2p-share");
    List<HTTPIngressPath> paths =
        ingress.getSpec().getRules().stream()
            .map(IngressRule::getHttp)
            .flatMap(h -> h.getPaths().stream())
            .toList();
    for (String operator :
        List.of(
            "/metrics",
            "/dashboard",
            "/dashboard/dashboard.js",
            "/api/nodes",
            "/api/analytics/summary",
            "/healthz")) {
      for (HTTPIngressPath p : paths) {
        assertFalse(routes(p, operator), p.getPath() + " routes operator path " + operator);
      }
    }
    for (String client :
        List.of(
            "/",
            "/r/AbCdEfGhIjKlMnOpQrStUv",
            "/assets/index-DCF-Nccp.js",
            "/api/rooms",
            "/api/rooms/AbCdEfGhIjKlMnOpQrStUv",
            "/api/analytics",
            "/sw.js",
            "/manifest.webmanifest",
            "/ws")) {
      assertTrue(paths.stream().anyMatch(p -> routes(p, client)), "the client needs " + client);
    }
  }

  /** ingress-nginx matching: Exact, Prefix by path elements, ImplementationSpecific as a regex. */
  private static boolean routes(HTTPIngressPath p, String path) {
    String rule = p.getPath();
    return switch (p.getPathType()) {
      case "Exact" -> rule.equals(path);
      case "Prefix" -> rule.equals("/") || path.equals(rule) || path.startsWith(rule + "/");
      default -> java.util.regex.Pattern.compile("^" + rule).matcher(path).find();
    };
  }
}
