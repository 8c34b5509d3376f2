package p2pshare.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per signaling node, so that the cluster link between nodes can be cut while
 * clients keep reaching every node (a partition between nodes, not between clients and nodes).
 *
 * <pre>
 *   root ns: clients, balancer ── bridge (cluster net 10.M.0.1/24) ── vc<i> ─┐
 *                               └─ va<i> (client net 10.N.i.1/24) ────────────┤  ns <i>: node i
 *                                                                             │  10.M.0.(10+i) cluster
 *                                                                             │  10.N.i.2 client/HTTP
 * </pre>
 *
 * A cut sets the root side of node i's cluster veth down: frames on it are dropped silently in both
 * directions, as in a real partition (no error reaches the sockets). Needs root and `ip`.
 */
final class NetnsTopology implements AutoCloseable {
  private final String tag;
  private final int clusterNet;
  private final int clientNet;
  private final int nodes;
  private final List<String> created = new ArrayList<>();

  private NetnsTopology(String tag, int clusterNet, int clientNet, int nodes) {
    this.tag = tag;
    this.clusterNet = clusterNet;
    this.clientNet = clientNet;
    this.nodes = nodes;
  }

  /** Why namespaces cannot be used here, or null when they can. */
  static String unavailableReason() {
    try {
      String name = "p2pchk" + ThreadLocalRandom.current().nextInt(100_000);
      Run add = run("ip", "netns", "add", name);
      if (add.code != 0) {
        return "`ip netns add` failed: " + add.output.strip();
      }
      run("ip", "netns", "del", name);
      return null;
    } catch (IOException e) {
      return "`ip` not runnable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static NetnsTopology create(int nodes) throws Exception {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    NetnsTopology t =
        new NetnsTopology(
            Integer.toString(r.nextInt(10_000, 99_999)),
            r.nextInt(100, 200),
            r.nextInt(200, 250),
            nodes);
    try {
      t.build();
    } catch (Exception e) {
      t.close();
      throw e;
    }
    return t;
  }

  String namespace(int i) {
    return "p2pf" + tag + "n" + i;
  }

  private String bridge() {
    return "p2pf" + tag + "br";
  }

  /** The balancer's cluster address (root namespace, on the bridge). */
  String rootClusterAddress() {
    return "10." + clusterNet + ".0.1";
  }

  /** Node i's cluster address (CLUSTER_HOST inside its namespace). */
  String clusterAddress(int i) {
    return "10." + clusterNet + ".0." + (10 + i);
  }

  /** Node i's client-facing address (HOST inside its namespace), reachable from the root. */
  String clientAddress(int i) {
    return "10." + clientNet + "." + i + ".2";
  }

  /** The command prefix that runs a process inside node i's namespace. */
  List<String> exec(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  private String clusterVethRoot(int i) {
    return "p2pf" + tag + "c" + i;
  }

  private void build() throws Exception {
    must("ip", "link", "add", bridge(), "type", "bridge");
    created.add("link:" + bridge());
    must("ip", "addr", "add", rootClusterAddress() + "/24", "dev", bridge());
    must("ip", "link", "set", bridge(), "up");
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      must("ip", "netns", "add", ns);
      created.add("ns:" + ns);
      must("ip", "-n", ns, "link", "set", "lo", "up");
      // cluster link: root side on the bridge
      String cRoot = clusterVethRoot(i);
      must("ip", "link", "add", cRoot, "type", "veth", "peer", "name", "cl0", "netns", ns);
      created.add("link:" + cRoot);
      must("ip", "link", "set", cRoot, "master", bridge());
      must("ip", "link", "set", cRoot, "up");
      must("ip", "-n", ns, "addr", "add", clusterAddress(i) + "/24", "dev", "cl0");
      must("ip", "-n", ns, "link", "set", "cl0", "up");
      // client link: a point-to-point net from the root
      String aRoot = "p2pf" + tag + "a" + i;
      must("ip", "link", "add", aRoot, "type", "veth", "peer", "name", "ap0", "netns", ns);
      created.add("link:" + aRoot);
      must("ip", "addr", "add", "10." + clientNet + "." + i + ".1/24", "dev", aRoot);
      must("ip", "link", "set", aRoot, "up");
      must("ip", "-n", ns, "addr", "add", clientAddress(i) + "/24", "dev", "ap0");
      must("ip", "-n", ns, "link", "set", "ap0", "up");
    }
  }

  /** Cuts node i off the cluster network (its clients still reach it). */
  void cut(int i) throws Exception {
    must("ip", "link", "set", clusterVethRoot(i), "down");
  }

  void heal(int i) throws Exception {
    must("ip", "link", "set", clusterVethRoot(i), "up");
  }

  @Override
  public void close() throws Exception {
    for (int k = created.size() - 1; k >= 0; k--) {
      String c = created.get(k);
      if (c.startsWith("ns:")) {
        run("ip", "netns", "del", c.substring(3));
      } else {
        run("ip", "link", "del", c.substring(5));
      }
    }
  }

  private static void must(String... command) throws Exception {
    Run r = run(command);
    if (r.code != 0) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.output.strip());
    }
  }

  private record Run(int code, String output) {}

  private static Run run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(-1, "timed out");
    }
    return new Run(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
