package p2pshare.signaling;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.AddressRanges;
import p2pshare.cluster.ClientIp;
import p2pshare.cluster.ClusterRuntime;
import p2pshare.cluster.DeadNodeJanitor;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.OperatorAccess;
import p2pshare.signaling.cluster.LiveNodes;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.MembershipMetrics;
import p2pshare.signaling.cluster.NodeDeathWatcher;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.cluster.SplitBrainGuard;
import p2pshare.signaling.ops.LoadPublisher;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.peer.LocalPeers;
import p2pshare.signaling.peer.NodeFence;
import p2pshare.signaling.peer.RoomRepair;
import p2pshare.signaling.peer.RoomService;
import p2pshare.signaling.session.DrainState;
import p2pshare.signaling.session.Limits;

/**
 * A signaling node: wires the services of one process and deploys a verticle per event loop.
 *
 * <p>Longer than 300 lines: it is the composition root (every service's construction and start
 * order, drain, the stall guard's actions and the load record it publishes read in one place); each
 * piece of behaviour lives in the class it wires.
 */
public final class SignalingNode {
  private static final Logger LOG = LoggerFactory.getLogger(SignalingNode.class);

  /** Exit status after a stall past the heartbeat (EX_TEMPFAIL): restart me. */
  public static final int STALL_EXIT_CODE = 75;

  /** How long the fenced sockets get to receive their reconnect before the exit. */
  static final long STALL_EXIT_GRACE_MS = 1_000;

  /** How often the exit looks whether the fenced sockets are closed. */
  static final long STALL_EXIT_POLL_MS = 50;

  private final ClusterRuntime runtime;
  private final SignalingMetrics metrics;
  private final LocalPeers local;
  private final RoomService rooms;
  private final NodeRouter router;
  private final LiveNodes liveNodes;
  private final NodeFence fence;
  private final RoomRepair repair;
  private final SplitBrainGuard guard;
  private final DrainState drain = new DrainState();
  private final OriginPolicy origins;
  private final ConnectionsPerIp connectionsPerIp;
  private final ClientIp clientIp;
  private final OperatorAccess operatorAccess;
  private final AtomicLong lagNanos = new AtomicLong();
  private final List<SignalingVerticle> verticles = new CopyOnWriteArrayList<>();
  private final LoadPublisher loadPublisher;
  private volatile boolean started;
  private long lastMessageTotal;
  private long lastPublishNanos = System.nanoTime();

  private SignalingNode(ClusterRuntime runtime) {
    this.runtime = runtime;
    Vertx vertx = runtime.vertx();
    EnvConfig env = runtime.env();
    this.metrics = new SignalingMetrics(runtime.registry());
    this.local = new LocalPeers(metrics);
    MembershipMetrics membershipMetrics = new MembershipMetrics(runtime.registry());
    this.liveNodes = new LiveNodes(runtime.hazelcast(), env.nodeId());
    this.router = new NodeRouter(vertx, env.nodeId(), local, metrics, liveNodes, membershipMetrics);
    Membership membership = new Membership(vertx, runtime.hazelcast());
    this.fence =
        new NodeFence(
            vertx, env.nodeId(), local, membership, router, env.resumeWindowS(), membershipMetrics);
    this.rooms = new RoomService(vertx, env, membership, router, local, metrics, fence);
    this.repair =
        new RoomRepair(
            vertx,
            env.nodeId(),
            local,
            membership,
            router,
            liveNodes::isLive,
            fence,
            env.maxPeersPerRoom(),
            membershipMetrics);
    this.guard = new SplitBrainGuard(vertx, guardActions());
    this.origins = new OriginPolicy(env.allowedOrigins());
    this.connectionsPerIp = new ConnectionsPerIp(env.maxConnectionsPerIp());
    this.clientIp = new ClientIp(AddressRanges.of(env.trustedProxies()));
    this.operatorAccess = OperatorAccess.forEnv(env);
    this.loadPublisher = new LoadPublisher(vertx, runtime.hazelcast(), this::load);
    metrics.gauge("p2p_peers", "Peers whose membership this node owns", local::peerCount);
    metrics.gauge("p2p_rooms", "Rooms with peers on this node", local::roomCount);
    metrics.gauge(
        "p2p_event_loop_lag_ms", "Worst event-loop lag in the last second", () -> lastLagMs);
  }

  private volatile double lastLagMs;

  /** Starts a node on a running cluster member; fails if the port cannot be bound. */
  public static Future<SignalingNode> start(ClusterRuntime runtime) {
    SignalingNode node = new SignalingNode(runtime);
    return node.startServices().map(node);
  }

  private Future<Void> startServices() {
    Vertx vertx = runtime.vertx();
    runtime.hazelcast().getCluster().addMembershipListener(new NodeDeathWatcher(vertx, local));
    new DeadNodeJanitor(vertx, runtime.hazelcast(), env().resumeWindowS()).register();
    runtime.hazelcast().getCluster().addMembershipListener(guard);
    runtime.hazelcast().getLifecycleService().addLifecycleListener(guard);
    guard.start();
    repair.start();
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return router
        .start(rooms::handOverTo)
        .compose(
            v ->
                vertx.deployVerticle(
                    () -> new SignalingVerticle(this),
                    new DeploymentOptions().setInstances(instances)))
        .map(
            id -> {
              started = true;
              loadPublisher.start();
              LOG.info(
                  "node ready node={} port={} url={}",
                  env().nodeId(),
                  env().port(),
                  env().publicUrl());
              return null;
            });
  }

  /**
   * SIGTERM: readiness 503 and draining published, every socket told to reconnect, then a grace
   * period for clients to resume elsewhere (the handover is served meanwhile), then close.
   */
  public Future<Void> drain() {
    drain.start();
    loadPublisher.publish();
    verticles.forEach(SignalingVerticle::sendReconnectToAll);
    LOG.info("draining node={} sockets={}", env().nodeId(), metrics.connections());
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + Limits.DRAIN_GRACE_MS;
    runtime
        .vertx()
        .setPeriodic(
            100,
            t -> {
              if (metrics.connections() == 0 || System.currentTimeMillis() > deadline) {
                runtime.vertx().cancelTimer(t);
                loadPublisher.stop();
                done.complete();
              }
            });
    return done.future().compose(v -> runtime.close());
  }

  private SplitBrainGuard.Actions guardActions() {
    return new SplitBrainGuard.Actions() {
      @Override
      public void fence(String why) {
        fence.fence(why);
      }

      @Override
      public boolean fenced() {
        return fence.fenced();
      }

      @Override
      public Future<Void> cleanUp() {
        return fence.cleanUp();
      }

      @Override
      public void repairSoon() {
        repair.soon();
      }

      @Override
      public void exitAfterStall(long stalledMs) {
        exitAfterFence(stalledMs);
      }
    };
  }

  /**
   * After a stall the cluster has certainly noticed: the fence told every socket to reconnect; once
   * they are closed (or after a short grace) the process exits with {@link #STALL_EXIT_CODE} and
   * its supervisor (Kubernetes, compose's restart policy) starts it again as a new member. A plain
   * thread waits, not a Vert.x timer: nothing of the stale member is needed to get out.
   */
  private void exitAfterFence(long stalledMs) {
    LOG.warn(
        "exiting after a stall past the heartbeat node={} stallMs={} exitCode={}",
        env().nodeId(),
        stalledMs,
        STALL_EXIT_CODE);
    Thread exit =
        new Thread(
            () -> {
              long deadline = System.currentTimeMillis() + STALL_EXIT_GRACE_MS;
              while (metrics.connections() > 0 && System.currentTimeMillis() < deadline) {
                try {
                  Thread.sleep(STALL_EXIT_POLL_MS);
                } catch (InterruptedException e) {
                  break;
                }
              }
              System.exit(STALL_EXIT_CODE);
            },
            "p2p-stall-exit");
    exit.start();
  }

  void register(SignalingVerticle verticle) {
    verticles.add(verticle);
  }

  public boolean ready() {
    return started
        && !drain.draining()
        && !fence.fenced()
        && runtime.hazelcast().getLifecycleService().isRunning();
  }

  String scrapeMetrics() {
    return runtime.registry().scrape();
  }

  private NodeLoad load() {
    long now = System.nanoTime();
    long total = metrics.messageTotal();
    double seconds = Math.max(1e-3, (now - lastPublishNanos) / 1e9);
    double msgsPerSec = (total - lastMessageTotal) / seconds;
    lastMessageTotal = total;
    lastPublishNanos = now;
    lastLagMs = lagNanos.getAndSet(0) / 1e6;
    return new NodeLoad(
        env().nodeId(),
        env().publicUrl(),
        drain.draining() ? NodeLoad.DRAINING : NodeLoad.UP,
        metrics.connections(),
        local.roomCount(),
        local.peerCount(),
        msgsPerSec,
        lastLagMs,
        LoadPublisher.heapUsed(),
        LoadPublisher.heapMax(),
        LoadPublisher.processCpu(),
        System.currentTimeMillis(),
        adminUrl());
  }

  /**
   * This node's HTTP base for the balancer's /metrics: its Hazelcast member address (an IP), the
   * only host the balancer fetches from (it never follows a name a record could point anywhere).
   */
  private String adminUrl() {
    String host = runtime.hazelcast().getCluster().getLocalMember().getAddress().getHost();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + env().port();
  }

  public EnvConfig env() {
    return runtime.env();
  }

  public ClusterRuntime runtime() {
    return runtime;
  }

  SplitBrainGuard guard() {
    return guard;
  }

  RoomService rooms() {
    return rooms;
  }

  SignalingMetrics metrics() {
    return metrics;
  }

  DrainState drainState() {
    return drain;
  }

  OriginPolicy origins() {
    return origins;
  }

  ConnectionsPerIp connectionsPerIp() {
    return connectionsPerIp;
  }

  ClientIp clientIp() {
    return clientIp;
  }

  OperatorAccess operatorAccess() {
    return operatorAccess;
  }

  AtomicLong lag() {
    return lagNanos;
  }
}
