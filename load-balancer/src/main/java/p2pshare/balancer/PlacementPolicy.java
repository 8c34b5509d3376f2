package p2pshare.balancer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import p2pshare.cluster.NodeLoad;

/**
 * Chooses the node for a new or moved room: the least-loaded live node that is not draining.
 *
 * <p>The load score is a weighted sum of what each node publishes, in "connection equivalents".
 * Nodes report once a second, so between two reports every room this balancer placed on a node
 * counts as {@link #PLACED_ROOM_COST} extra: a burst of new rooms spreads over the nodes instead of
 * herding onto the one that looked lightest a second ago. Power-of-two choices was considered; it
 * avoids herding among many balancers with stale views, but it would break the contract's "least
 * loaded" promise with three or more nodes, and the view here is fresh to the second. Near-equal
 * scores are broken at random.
 */
public final class PlacementPolicy {
  static final double CONNECTION_WEIGHT = 1.0;
  static final double PEER_WEIGHT = 0.5;
  static final double ROOM_WEIGHT = 0.25;

  /** 50 messages/s weigh as much as one connection. */
  static final double MSGS_PER_SEC_WEIGHT = 0.02;

  /** Event-loop lag below this is noise; above it each millisecond weighs 5 connections. */
  static final double LAG_FREE_MS = 5.0;

  static final double LAG_MS_WEIGHT = 5.0;

  /** cpu is a 0..1 fraction: a fully busy node weighs as 200 more connections. */
  static final double CPU_WEIGHT = 200.0;

  /** Heap use above half of the max weighs up to 100 connections at a full heap. */
  static final double HEAP_FREE_RATIO = 0.5;

  static final double HEAP_WEIGHT = 200.0;

  /** What one room placed since the node's last report is assumed to add (two peers). */
  static final double PLACED_ROOM_COST = 2.0;

  /** Scores closer than this count as equal. */
  static final double TIE_EPSILON = 0.5;

  /** Placements since a node's last report, keyed by node id. */
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(long lastSeen, int rooms) {}

  /** The node for one more room, or empty when no live node accepts rooms. */
  public Optional<NodeLoad> choose(Collection<NodeLoad> live) {
    List<NodeLoad> best = new ArrayList<>();
    double bestScore = Double.MAX_VALUE;
    for (NodeLoad node : live) {
      if (node.draining()) {
        continue;
      }
      double s = score(node);
      if (s < bestScore - TIE_EPSILON) {
        best.clear();
        best.add(node);
        bestScore = s;
      } else if (s <= bestScore + TIE_EPSILON) {
        best.add(node);
        bestScore = Math.min(bestScore, s);
      }
    }
    if (best.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(best.get(ThreadLocalRandom.current().nextInt(best.size())));
  }

  /** The load score of a node including the rooms placed on it since its last report. */
  double score(NodeLoad node) {
    Pending p = pending.get(node.id());
    int placed = p != null && p.lastSeen() == node.lastSeen() ? p.rooms() : 0;
    return baseScore(node) + PLACED_ROOM_COST * placed;
  }

  /** The load score from a node's own report alone. */
  static double baseScore(NodeLoad node) {
    double heapRatio =
        node.heapMaxBytes() > 0 ? (double) node.heapUsedBytes() / node.heapMaxBytes() : 0.0;
    return CONNECTION_WEIGHT * node.connections()
        + PEER_WEIGHT * node.peers()
        + ROOM_WEIGHT * node.rooms()
        + MSGS_PER_SEC_WEIGHT * Math.max(0.0, node.msgsPerSec())
        + LAG_MS_WEIGHT * Math.max(0.0, node.eventLoopLagMs() - LAG_FREE_MS)
        + CPU_WEIGHT * Math.max(0.0, Math.min(1.0, node.cpu()))
        + HEAP_WEIGHT * Math.max(0.0, heapRatio - HEAP_FREE_RATIO);
  }

  /** Counts a room that was really placed on the node (after its compare-and-set won). */
  public void placed(NodeLoad node) {
    pending.compute(
        node.id(),
        (id, p) ->
            p != null && p.lastSeen() == node.lastSeen()
                ? new Pending(p.lastSeen(), p.rooms() + 1)
                : new Pending(node.lastSeen(), 1));
  }

  /** Forgets nodes that are no longer live, so the map stays as small as the cluster. */
  public void retainOnly(Collection<NodeLoad> live) {
    pending.keySet().retainAll(live.stream().map(NodeLoad::id).toList());
  }
}
