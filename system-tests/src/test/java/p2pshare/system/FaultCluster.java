package p2pshare.system;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The balancer and two signaling nodes from the jars, each its own process, for the fault suite: on
 * 127.0.0.1, or with every node in its own network namespace ({@link NetnsTopology}) so that the
 * link between nodes can be cut. Random cluster name, free ports.
 */
final class FaultCluster implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(120);
  static final int NODES = 2;
  static final int HAZELCAST_PORT = 5701;

  final int resumeWindowS;
  final NetnsTopology net;
  final String clusterName = "faults-" + UUID.randomUUID();
  final JarProcess balancer;
  private final JarProcess[] nodes = new JarProcess[NODES + 1];
  private final Map<Integer, Map<String, String>> nodeEnv = new HashMap<>();
  private final List<JarProcess> started = new CopyOnWriteArrayList<>();
  private final String members;
  private final int[] loopbackHazelcastPorts = new int[NODES + 1];

  private FaultCluster(int resumeWindowS, NetnsTopology net) throws Exception {
    this.resumeWindowS = resumeWindowS;
    this.net = net;
    int balancerHz = JarProcess.freePort();
    List<String> addresses = new ArrayList<>();
    if (net == null) {
      addresses.add("127.0.0.1:" + balancerHz);
      List<Integer> ports = new ArrayList<>();
      for (int i = 1; i <= NODES; i++) {
        ports.add(JarProcess.freePort());
      }
      // Hazelcast merges equal-size sides by address: "[host]:port" greater merges into smaller.
      // The node the suite stalls (node-NODES) gets the smallest, so after a split the side that
      // kept running is the one Hazelcast would merge into the stale node: the harder case.
      ports.sort(Comparator.comparing((Integer p) -> Integer.toString(p)).reversed());
      for (int i = 1; i <= NODES; i++) {
        loopbackHazelcastPorts[i] = ports.get(i - 1);
        addresses.add("127.0.0.1:" + loopbackHazelcastPorts[i]);
      }
    } else {
      addresses.add(net.rootClusterAddress() + ":" + balancerHz);
      for (int i = 1; i <= NODES; i++) {
        addresses.add(net.clusterAddress(i) + ":" + HAZELCAST_PORT);
      }
    }
    members = String.join(",", addresses);
    int balancerPort = JarProcess.freePort();
    Map<String, String> env = common("balancer-faults");
    env.put("HOST", "127.0.0.1");
    env.put("PORT", String.valueOf(balancerPort));
    env.put("CLUSTER_HOST", net == null ? "127.0.0.1" : net.rootClusterAddress());
    env.put("CLUSTER_PORT", String.valueOf(balancerHz));
    balancer = JarProcess.start("balancerJar", "balancer", balancerPort, env);
    started.add(balancer);
    for (int i = 1; i <= NODES; i++) {
      startNode(i);
    }
  }

  /** Starts everything and waits until the balancer lists both nodes. */
  static FaultCluster start(int resumeWindowS, NetnsTopology net) throws Exception {
    FaultCluster c = new FaultCluster(resumeWindowS, net);
    try {
      for (JarProcess p : c.started) {
        p.awaitReady(START);
      }
      c.awaitListed(NODES, START);
    } catch (Exception e) {
      c.close();
      throw e;
    }
    return c;
  }

  private Map<String, String> common(String id) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ID", id);
    env.put("CLUSTER_NAME", clusterName);
    env.put("CLUSTER_MEMBERS", members);
    env.put("RESUME_WINDOW_S", String.valueOf(resumeWindowS));
    env.put("MAX_CONNECTIONS_PER_IP", "0");
    return env;
  }

  private synchronized void startNode(int i) throws Exception {
    Map<String, String> env = nodeEnv.get(i);
    String host;
    if (env == null) {
      env = common("node-" + i);
      int port = net == null ? JarProcess.freePort() : 8081;
      host = net == null ? "127.0.0.1" : net.clientAddress(i);
      env.put("HOST", host);
      env.put("PORT", String.valueOf(port));
      env.put("PUBLIC_URL", "ws://" + host + ":" + port + "/ws");
      env.put("CLUSTER_HOST", net == null ? "127.0.0.1" : net.clusterAddress(i));
      env.put(
          "CLUSTER_PORT", String.valueOf(net == null ? loopbackHazelcastPorts[i] : HAZELCAST_PORT));
      nodeEnv.put(i, env);
    }
    host = env.get("HOST");
    JarProcess p =
        JarProcess.start(
            "nodeJar",
            "node-" + i,
            host,
            Integer.parseInt(env.get("PORT")),
            env,
            net == null ? List.of() : net.exec(i));
    nodes[i] = p;
    started.add(p);
  }

  synchronized JarProcess node(int i) {
    return nodes[i];
  }

  /**
   * Does for node i what its supervisor (Kubernetes, compose's restart policy) does: when the
   * process exits — a node exits with {@link #STALL_EXIT_CODE} after a stall past the heartbeat —
   * it is started again with its id and address. {@link Supervisor#close()} stops watching and
   * waits for a restart under way.
   */
  Supervisor supervise(int i) {
    Supervisor s = new Supervisor(i);
    s.thread.start();
    return s;
  }

  /** Exit status of a node after a stall past the heartbeat (SignalingNode.STALL_EXIT_CODE). */
  static final int STALL_EXIT_CODE = 75;

  final class Supervisor implements AutoCloseable {
    final List<Integer> exitCodes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    private final int index;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean restarting;

    private Supervisor(int index) {
      this.index = index;
      this.thread = new Thread(this::watch, "fault-supervisor-" + index);
      thread.setDaemon(true);
    }

    private void watch() {
      while (!stopped) {
        JarProcess p = node(index);
        if (!p.process.isAlive()) {
          restarting = true;
          synchronized (this) {
            exitCodes.add(p.process.exitValue());
          }
          try {
            restartNode(index);
            restarting = false;
          } catch (Exception e) {
            synchronized (this) {
              failures.add("restart of node-" + index + " failed: " + e);
            }
            return;
          }
        }
        try {
          TimeUnit.MILLISECONDS.sleep(200); // polling a process's liveness
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The node runs and no restart is under way (a restart returns once the node is listed). */
    boolean idle() {
      return !restarting && node(index).process.isAlive();
    }

    /** Stops watching; waits for a restart under way to finish. */
    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.join(START.toMillis() * 2);
    }

    synchronized String summary() {
      return exitCodes.isEmpty()
          ? ""
          : "node-" + index + " exited " + exitCodes + " and was restarted" + failures;
    }
  }

  String nodeId(int i) {
    return "node-" + i;
  }

  String wsUrl(int i) {
    return nodeEnv.get(i).get("PUBLIC_URL");
  }

  /** Starts node i again with its old id and address (after kill -9), and waits until listed. */
  void restartNode(int i) throws Exception {
    nodes[i].close();
    startNode(i);
    nodes[i].awaitReady(START);
    awaitListed(NODES, START);
  }

  JsonArray listedNodes() throws Exception {
    return new JsonObject(balancer.get("/api/nodes")).getJsonArray("nodes");
  }

  void awaitListed(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int listed = -1;
      try {
        listed = listedNodes().size();
      } catch (Exception e) {
        // not answering yet
      }
      if (listed == count) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("balancer lists " + listed + " nodes, want " + count);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /** The log of every process, for a finding. */
  String logs(int maxLinesEach) {
    StringBuilder b = new StringBuilder();
    for (JarProcess p : started) {
      try {
        List<String> lines = java.nio.file.Files.readAllLines(p.log);
        b.append("---- ").append(p.name).append(" (").append(p.log).append(")\n");
        lines.stream()
            .skip(Math.max(0, lines.size() - maxLinesEach))
            .forEach(l -> b.append(l).append('\n'));
      } catch (Exception e) {
        b.append("---- ").append(p.name).append(": ").append(e).append('\n');
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws Exception {
    for (JarProcess p : started) {
      try {
        p.close();
      } catch (Exception e) {
        // go on closing the others
      }
    }
  }
}
