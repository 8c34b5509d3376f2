package p2pshare.balancer;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.NodeLoad;

/**
 * The live signaling nodes, read from the shared nodes map. Each node puts its {@link NodeLoad}
 * every second with a TTL, so a node is live exactly while its record exists; a node that stops
 * publishing is gone after {@link NodeLoad#TTL_SECONDS}. Always read fresh, never cached: an answer
 * never names a node that has already expired.
 */
public final class NodeRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

  private final Vertx vertx;
  private final IMap<String, String> nodes;

  public NodeRegistry(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.nodes = hazelcast.getMap(ClusterNames.NODES_MAP);
  }

  /** The live nodes, sorted by id, read on a worker thread. */
  public Future<List<NodeLoad>> liveNodes() {
    return vertx.executeBlocking(this::readLive, false);
  }

  /** Blocking read of the live nodes; call only off the event loop. */
  List<NodeLoad> readLive() {
    List<NodeLoad> live = new ArrayList<>();
    for (String json : nodes.values()) {
      try {
        NodeLoad load = NodeLoad.fromJson(new JsonObject(json));
        if (load.id() != null && load.url() != null) {
          live.add(load);
        }
      } catch (RuntimeException e) {
        LOG.warn("unreadable node record error={}", e.toString());
      }
    }
    live.sort(Comparator.comparing(NodeLoad::id));
    return live;
  }
}
