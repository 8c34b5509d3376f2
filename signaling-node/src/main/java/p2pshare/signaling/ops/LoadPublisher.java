package p2pshare.signaling.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.NodeLoad;

/** Puts this node's {@link NodeLoad} into the cluster every second, with a TTL. */
public final class LoadPublisher {
  public static final long PERIOD_MS = 1_000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, String> nodes;
  private final Supplier<NodeLoad> snapshot;
  private long timer = -1;

  public LoadPublisher(Vertx vertx, HazelcastInstance hazelcast, Supplier<NodeLoad> snapshot) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.nodes = hazelcast.getMap(ClusterNames.NODES_MAP);
    this.snapshot = snapshot;
  }

  public void start() {
    publish();
    timer = vertx.setPeriodic(PERIOD_MS, t -> publish());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Publishes now (also used to announce draining at once). */
  public void publish() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return; // shutting down
    }
    NodeLoad load = snapshot.get();
    nodes.setAsync(load.id(), load.toJson().encode(), NodeLoad.TTL_SECONDS, TimeUnit.SECONDS);
  }

  public static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  public static long heapMax() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
  }

  public static double processCpu() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getProcessCpuLoad();
      return load < 0 ? 0 : load;
    }
    return 0;
  }
}
