package p2pshare.signaling.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Role;
import p2pshare.signaling.SignalingNode;

/**
 * Real signaling nodes in this JVM, each its own Vert.x and Hazelcast member on 127.0.0.1, with a
 * random cluster name so parallel runs never meet.
 */
public final class TestCluster implements AutoCloseable {
  private final List<SignalingNode> nodes = new ArrayList<>();
  private final String clusterName = "test-" + UUID.randomUUID();
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final Map<String, String> extraEnv;

  private TestCluster(int size, Map<String, String> extraEnv) {
    this.extraEnv = extraEnv;
    for (int i = 0; i < size; i++) {
      clusterPorts.add(FreePorts.next());
    }
  }

  public static TestCluster start(int size) {
    return start(size, Map.of());
  }

  public static TestCluster start(int size, Map<String, String> extraEnv) {
    TestCluster cluster = new TestCluster(size, extraEnv);
    for (int i = 0; i < size; i++) {
      cluster.startNode(i);
    }
    return cluster;
  }

  private void startNode(int index) {
    nodes.add(
        await(
            ClusterBoot.start(EnvConfig.from(env(index), Role.NODE))
                .compose(SignalingNode::start)));
  }

  public Map<String, String> env(int index) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ID", "node-" + (index + 1));
    env.put("HOST", "127.0.0.1");
    env.put("PORT", String.valueOf(FreePorts.next()));
    env.put("CLUSTER_NAME", clusterName);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPorts.get(index)));
    env.put(
        "CLUSTER_MEMBERS",
        clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.putAll(extraEnv);
    return env;
  }

  public String clusterName() {
    return clusterName;
  }

  public List<Integer> clusterPorts() {
    return clusterPorts;
  }

  public SignalingNode node(int index) {
    return nodes.get(index);
  }

  public int port(int index) {
    return nodes.get(index).env().port();
  }

  public String nodeId(int index) {
    return nodes.get(index).env().nodeId();
  }

  /** Kills a node's Hazelcast member abruptly (no graceful leave), like kill -9 of its process. */
  public void crash(int index) {
    SignalingNode node = nodes.get(index);
    node.runtime().hazelcast().getLifecycleService().terminate();
    node.runtime().vertx().close();
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (SignalingNode node : nodes) {
      try {
        node.runtime().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // already crashed or closed
      }
    }
  }
}
