package p2pshare.balancer;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.NodeRecordRules;

/**
 * The live signaling nodes, read from the shared nodes map. Each node puts its {@link NodeLoad}
 * every second with a TTL, so a node is live exactly while its record exists; a node that stops
 * publishing is gone after {@link NodeLoad#TTL_SECONDS}.
 *
 * <p>Every answer comes within {@link #READ_WAIT_MS}: a read of the map blocks while a member that
 * owns part of it is unreachable (frozen, cut off) until the cluster gives up on it, so a read that
 * is late is left running (one at a time) and the answer is the last complete read, as long as that
 * is younger than the TTL — what the balancer can see. Older than that, no node is named (the API
 * says 503 no-live-node): an answer never names a node whose record may have expired.
 *
 * <p>Anything that reaches the cluster can write the map, so a record that breaks {@link
 * NodeRecordRules} (a url that is not ws(s)://host[:port]/ws, an adminUrl off the private networks)
 * is ignored: the balancer never hands it to a browser nor fetches it.
 */
public final class NodeRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

  /** How long a caller waits for a fresh read before it is answered from the last one. */
  static final long READ_WAIT_MS = 300;

  private static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(NodeLoad.TTL_SECONDS);

  private record Snapshot(List<NodeLoad> live, long readAtNanos) {}

  private final Vertx vertx;
  private final Supplier<Collection<String>> readRecords;
  private final Object lock = new Object();

  /** One read at a time, on its own daemon thread: a stuck read blocks no request thread. */
  private final ExecutorService reader =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "node-registry-read");
            t.setDaemon(true);
            return t;
          });

  private final RefusedRecordLog refused = new RefusedRecordLog(LOG);
  private CompletableFuture<Snapshot> inFlight;
  private volatile Snapshot last;

  public NodeRegistry(Vertx vertx, HazelcastInstance hazelcast) {
    this(vertx, hazelcast.<String, String>getMap(ClusterNames.NODES_MAP)::values);
  }

  NodeRegistry(Vertx vertx, Supplier<Collection<String>> readRecords) {
    this.vertx = vertx;
    this.readRecords = readRecords;
  }

  /** The live nodes, sorted by id; holds no thread while it waits (see {@link #liveNodesAsync}). */
  public Future<List<NodeLoad>> liveNodes() {
    return Future.fromCompletionStage(liveNodesAsync(), vertx.getOrCreateContext());
  }

  /**
   * The live nodes: the fresh read if it comes within {@link #READ_WAIT_MS}, else the last complete
   * one while younger than the TTL, else none. Nothing waits on a thread: the bound is a timer, so
   * a read stuck on an unreachable member never ties up a worker. Before anything was seen, the
   * first read is the answer.
   */
  CompletableFuture<List<NodeLoad>> liveNodesAsync() {
    CompletableFuture<List<NodeLoad>> fresh =
        startRead().thenApply(snapshot -> new ArrayList<>(snapshot.live()));
    if (last == null) {
      return fresh.exceptionally(e -> new ArrayList<>());
    }
    return fresh.orTimeout(READ_WAIT_MS, TimeUnit.MILLISECONDS).exceptionally(e -> lastKnown());
  }

  /** Blocking (at most {@link #READ_WAIT_MS} once warm) read of the live nodes; not on a loop. */
  List<NodeLoad> readLive() {
    return liveNodesAsync().join();
  }

  private List<NodeLoad> lastKnown() {
    Snapshot seen = last;
    if (seen == null || System.nanoTime() - seen.readAtNanos() > TTL_NANOS) {
      return new ArrayList<>();
    }
    return new ArrayList<>(seen.live());
  }

  /** Starts a read of the map unless one is still running; a slow read is never doubled. */
  private CompletableFuture<Snapshot> startRead() {
    synchronized (lock) {
      if (inFlight == null || inFlight.isDone()) {
        CompletableFuture<Snapshot> read = new CompletableFuture<>();
        reader.execute(
            () -> {
              try {
                Snapshot s = new Snapshot(parse(readRecords.get()), System.nanoTime());
                last = s;
                read.complete(s);
              } catch (RuntimeException e) {
                LOG.warn("node records unreadable error={}", e.toString());
                read.completeExceptionally(e);
              }
            });
        inFlight = read;
      }
      return inFlight;
    }
  }

  private List<NodeLoad> parse(Collection<String> records) {
    List<NodeLoad> live = new ArrayList<>();
    for (String json : records) {
      NodeLoad load;
      try {
        load = NodeLoad.fromJson(new JsonObject(json));
      } catch (RuntimeException e) {
        refused.refused("unreadable");
        continue;
      }
      String field = NodeRecordRules.refusedField(load);
      if (field == null) {
        live.add(load);
      } else {
        refused.refused(field);
      }
    }
    live.sort(Comparator.comparing(NodeLoad::id));
    return List.copyOf(live);
  }
}
