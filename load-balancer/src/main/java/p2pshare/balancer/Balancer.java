package p2pshare.balancer;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.ClusterRuntime;
import p2pshare.cluster.DeadNodeJanitor;
import p2pshare.cluster.EnvConfig;

/** A started balancer: cluster member, HTTP servers, and its drain switch. */
public final class Balancer {
  private static final Logger LOG = LoggerFactory.getLogger(Balancer.class);

  /** HTTP server instances, one per event loop up to this many. */
  static final int MAX_HTTP_INSTANCES = 4;

  /** Vert.x's port for "a random port shared by every instance that asks for it". */
  static final int SHARED_RANDOM_PORT = -1;

  /** How often the CSP's node hosts are read from the node records. */
  static final long CONNECT_SOURCES_REFRESH_MS = 2_000;

  private final ClusterRuntime runtime;
  private final RateLimiter roomCreationLimiter;
  private final RateLimiter roomLookupLimiter;
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile int port = -1;

  private Balancer(
      ClusterRuntime runtime, RateLimiter roomCreationLimiter, RateLimiter roomLookupLimiter) {
    this.runtime = runtime;
    this.roomCreationLimiter = roomCreationLimiter;
    this.roomLookupLimiter = roomLookupLimiter;
  }

  /** Joins the cluster and starts serving; the future fails when listen fails. */
  public static Future<Balancer> start(EnvConfig env) {
    return start(env, new RateLimiter());
  }

  /** As {@link #start(EnvConfig)}, with the room-creation rate limiter given (tests). */
  static Future<Balancer> start(EnvConfig env, RateLimiter roomCreationLimiter) {
    return start(
        env,
        roomCreationLimiter,
        new RateLimiter(
            BalancerSecurity.ROOM_LOOKUP_BURST,
            BalancerSecurity.ROOM_LOOKUP_REFILL_PER_SECOND,
            System::nanoTime));
  }

  /** As {@link #start(EnvConfig)}, with both room rate limiters given (tests). */
  static Future<Balancer> start(
      EnvConfig env, RateLimiter roomCreationLimiter, RateLimiter roomLookupLimiter) {
    return ClusterBoot.start(env)
        .compose(
            runtime -> {
              Balancer balancer = new Balancer(runtime, roomCreationLimiter, roomLookupLimiter);
              Promise<Balancer> started = Promise.promise();
              balancer
                  .deploy()
                  .onSuccess(v -> started.complete(balancer))
                  .onFailure(
                      e -> {
                        LOG.error("balancer start failed error={}", e.toString());
                        // answer first: the close ends the event loops this future would need
                        started.fail(e);
                        runtime.close();
                      });
              return started.future();
            });
  }

  private Future<Void> deploy() {
    Vertx vertx = runtime.vertx();
    EnvConfig env = runtime.env();
    new DeadNodeJanitor(vertx, runtime.hazelcast(), env.resumeWindowS()).register();

    BalancerMeters meters = new BalancerMeters(runtime.registry());
    NodeRegistry nodes = new NodeRegistry(vertx, runtime.hazelcast());
    RoomAssigner assigner =
        new RoomAssigner(vertx, runtime.hazelcast(), nodes, new PlacementPolicy(), meters);
    MetricsAggregator metrics =
        new MetricsAggregator(
            vertx,
            env.nodeId(),
            runtime.registry(),
            nodes,
            meters,
            new NodeAdminUrls(runtime.hazelcast()),
            env.operatorToken());
    BalancerSecurity security = BalancerSecurity.forEnv(env, roomLookupLimiter);
    // connect-src of every answer names the live nodes' hosts, refreshed here and on each page
    vertx.setPeriodic(
        CONNECT_SOURCES_REFRESH_MS,
        t -> nodes.liveNodes().onSuccess(live -> security.connectSources().update(live)));
    HttpApi api =
        new HttpApi(
            assigner,
            nodes,
            metrics,
            roomCreationLimiter,
            meters,
            WebPages.load(env.assetBaseUrl()),
            this::ready,
            new AnalyticsRoutes(
                new AnalyticsMeters(runtime.registry()),
                AnalyticsRoutes.defaultLimiter(),
                security.clientAddress()),
            security);

    // All instances share one listening socket. Vert.x shares a server between instances only
    // for a fixed port, or for a negative one meaning "one shared random port": PORT=0 maps there.
    int listenPort = env.port() == 0 ? SHARED_RANDOM_PORT : env.port();
    int instances = Math.min(MAX_HTTP_INSTANCES, Runtime.getRuntime().availableProcessors());
    AtomicInteger bound = new AtomicInteger(-1);
    return vertx
        .deployVerticle(
            () -> new BalancerVerticle(api, env.host(), listenPort, bound::set),
            new DeploymentOptions().setInstances(instances))
        .<Void>mapEmpty()
        .onSuccess(v -> port = bound.get())
        .onSuccess(
            v ->
                LOG.info(
                    "balancer ready node={} port={} url=http://localhost:{}/",
                    env.nodeId(),
                    port,
                    port));
  }

  /** Ready: joined to the cluster and not draining. */
  public boolean ready() {
    return !draining.get()
        && runtime.hazelcast().getLifecycleService().isRunning()
        && runtime.hazelcast().getCluster().getLocalMember() != null;
  }

  /** Readiness goes 503 from now on; requests already accepted are still answered. */
  public void drain() {
    if (draining.compareAndSet(false, true)) {
      LOG.info("balancer draining node={}", runtime.env().nodeId());
    }
  }

  /** The bound HTTP port. */
  public int port() {
    return port;
  }

  public ClusterRuntime runtime() {
    return runtime;
  }

  /** Leaves the cluster and stops serving. */
  public Future<Void> close() {
    return runtime.close();
  }
}
