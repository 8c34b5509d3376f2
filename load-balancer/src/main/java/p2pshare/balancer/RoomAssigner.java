package p2pshare.balancer;

import static java.util.concurrent.CompletableFuture.completedFuture;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.Ids;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.RoomPlacement;

/**
 * Gives rooms their nodes in the shared rooms map, atomically: a new room is put with putIfAbsent
 * and a move is a compare-and-set replace of the exact old value, so any number of balancers and
 * concurrent requests agree on one node and one epoch. The epoch goes up only when a room moves
 * because its node is gone or draining.
 */
public final class RoomAssigner {
  private static final Logger LOG = LoggerFactory.getLogger(RoomAssigner.class);

  /** A placement nobody asked for this long is forgotten (a later GET places the room anew). */
  static final long ROOM_MAX_IDLE_HOURS = 24;

  /**
   * An answer comes within this, also while a member that owns the room's record is unreachable:
   * past it the client gets 503 no-live-node and asks again (the read itself ends later, bounded by
   * the member's call timeout).
   */
  static final long ANSWER_TIMEOUT_MS = 500;

  /** Threads that run placements (cluster writes), and how many may wait for one. */
  static final int PLACEMENT_THREADS = 4;

  static final int PLACEMENT_QUEUE = 64;

  /** An idle placement thread ends after this (a quiet balancer holds none). */
  static final long PLACEMENT_THREAD_IDLE_S = 30;

  /** Compare-and-set rounds before giving up; each lost round means another writer won. */
  static final int MAX_CAS_ROUNDS = 32;

  /** How an answer came about; only for meters and logs. */
  public enum Kind {
    EXISTING,
    NEW,
    REASSIGNED
  }

  /** A room's node and epoch, as answered by /api/rooms. */
  public record Assignment(String room, NodeLoad node, long epoch, Kind kind) {}

  private final Vertx vertx;
  private final IMap<String, String> rooms;
  private final NodeRegistry registry;
  private final PlacementPolicy policy;
  private final BalancerMeters meters;
  private volatile boolean warm;

  /**
   * Placements (writes) run here, never on Vert.x's shared worker pool: a write whose partition's
   * owner is unreachable holds its thread until the cluster gives up on that member (seconds), so
   * at most {@link #PLACEMENT_THREADS} + {@link #PLACEMENT_QUEUE} placements can be held; more are
   * answered "no live node" at once, and nothing else of the balancer waits behind them.
   */
  private final ThreadPoolExecutor placements =
      new ThreadPoolExecutor(
          PLACEMENT_THREADS,
          PLACEMENT_THREADS,
          PLACEMENT_THREAD_IDLE_S,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(PLACEMENT_QUEUE),
          r -> {
            Thread t = new Thread(r, "room-placement");
            t.setDaemon(true);
            return t;
          },
          new ThreadPoolExecutor.AbortPolicy());

  {
    placements.allowCoreThreadTimeOut(true);
  }

  public RoomAssigner(
      Vertx vertx,
      HazelcastInstance hazelcast,
      NodeRegistry registry,
      PlacementPolicy policy,
      BalancerMeters meters) {
    this.vertx = vertx;
    this.rooms = hazelcast.getMap(ClusterNames.ROOMS_MAP);
    this.registry = registry;
    this.policy = policy;
    this.meters = meters;
  }

  /** Places a new room with a fresh random id; fails with {@link NoLiveNodeException}. */
  public Future<Assignment> create() {
    return bounded(
        placeOffLoop(
            () -> {
              Assignment a;
              do {
                a = assign(Ids.randomId());
              } while (a.kind() != Kind.NEW); // a 128-bit collision: practically never loops
              meters.roomCreated();
              return a;
            }));
  }

  /**
   * The room's node, placing or moving it when needed; the id must be valid. A room already placed
   * on a live node (nearly every ask) is answered from an asynchronous read: no thread waits, even
   * when the member that owns the room's record is frozen. Only a placement or a move takes a
   * placement thread.
   */
  public Future<Assignment> lookup(String room) {
    CompletableFuture<Assignment> answer =
        registry
            .liveNodesAsync()
            .thenCombine(rooms.getAsync(room), (live, current) -> existing(room, live, current))
            .thenCompose(
                found -> found != null ? completedFuture(found) : placeOffLoop(() -> assign(room)));
    return bounded(answer);
  }

  /** The room's current placement if its node is live and not draining, else null. */
  private Assignment existing(String room, List<NodeLoad> live, String current) {
    if (current == null) {
      return null;
    }
    RoomPlacement placement = RoomPlacement.fromJson(current);
    for (NodeLoad node : live) {
      if (node.id().equals(placement.nodeId()) && !node.draining()) {
        meters.answered(Kind.EXISTING);
        return new Assignment(room, node, placement.epoch(), Kind.EXISTING);
      }
    }
    return null;
  }

  /**
   * Runs a placement on the placement threads; when they and their queue are full (writes held by
   * an unreachable member) the answer is "no live node" at once.
   */
  private CompletableFuture<Assignment> placeOffLoop(Supplier<Assignment> placement) {
    try {
      return CompletableFuture.supplyAsync(placement, placements);
    } catch (RejectedExecutionException e) {
      meters.noLiveNode();
      return CompletableFuture.failedFuture(new NoLiveNodeException());
    }
  }

  /**
   * At most {@link #ANSWER_TIMEOUT_MS}; a cluster that cannot answer in time (a member frozen or
   * cut off, no data member at all) is "no live node" to the client, which asks again. The very
   * first answer is not bounded: it sets up the map proxies and fetches the partition table, which
   * takes seconds on a loaded machine and would otherwise be refused at every start.
   */
  private Future<Assignment> bounded(CompletableFuture<Assignment> stage) {
    Future<Assignment> answer = Future.fromCompletionStage(stage, vertx.getOrCreateContext());
    Future<Assignment> timed =
        warm
            ? answer.timeout(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            : answer.onComplete(done -> warm = true);
    // Any cluster failure (a timeout, or no data member at all) is "no live node" to the client.
    return timed.recover(
        e -> {
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof NoLiveNodeException) {
            return Future.failedFuture(cause);
          }
          LOG.warn("room answer failed or late error={}", cause.toString());
          meters.noLiveNode();
          return Future.failedFuture(new NoLiveNodeException());
        });
  }

  /** Blocking compare-and-set loop; call only off the event loop. */
  Assignment assign(String room) {
    List<NodeLoad> live = registry.readLive();
    policy.retainOnly(live);
    for (int round = 0; round < MAX_CAS_ROUNDS; round++) {
      String current = rooms.get(room);
      if (current == null) {
        NodeLoad node = choose(live);
        RoomPlacement placement = new RoomPlacement(node.id(), 1);
        String prev =
            rooms.putIfAbsent(
                room,
                placement.toJson(),
                -1,
                TimeUnit.SECONDS,
                ROOM_MAX_IDLE_HOURS,
                TimeUnit.HOURS);
        if (prev == null) {
          return placed(room, node, placement, Kind.NEW);
        }
        continue; // another request placed it first: answer with theirs
      }
      RoomPlacement existing = RoomPlacement.fromJson(current);
      Optional<NodeLoad> holder =
          live.stream().filter(n -> n.id().equals(existing.nodeId())).findFirst();
      if (holder.isPresent() && !holder.get().draining()) {
        meters.answered(Kind.EXISTING);
        return new Assignment(room, holder.get(), existing.epoch(), Kind.EXISTING);
      }
      NodeLoad node = choose(live);
      RoomPlacement moved = new RoomPlacement(node.id(), existing.epoch() + 1);
      if (rooms.replace(room, current, moved.toJson())) {
        LOG.info(
            "room moved room={} from={} to={} epoch={}",
            Ids.logHash(room),
            existing.nodeId(),
            node.id(),
            moved.epoch());
        return placed(room, node, moved, Kind.REASSIGNED);
      }
      // lost the race: someone else changed it; look again
      live = registry.readLive();
    }
    throw new IllegalStateException("room assignment did not settle");
  }

  private NodeLoad choose(List<NodeLoad> live) {
    return policy
        .choose(live)
        .orElseThrow(
            () -> {
              meters.noLiveNode();
              return new NoLiveNodeException();
            });
  }

  private Assignment placed(String room, NodeLoad node, RoomPlacement placement, Kind kind) {
    policy.placed(node);
    meters.placed(node.id(), kind);
    LOG.debug(
        "room placed room={} node={} epoch={} kind={}",
        Ids.logHash(room),
        node.id(),
        placement.epoch(),
        kind);
    return new Assignment(room, node, placement.epoch(), kind);
  }
}
