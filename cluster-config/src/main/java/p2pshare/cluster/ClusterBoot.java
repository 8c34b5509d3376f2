package p2pshare.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;

/**
 * Starts a process's Vert.x, Hazelcast member and Prometheus registry. A signaling node runs a
 * clustered Vert.x (its event bus carries the relay); the balancer runs a local Vert.x beside a
 * Hazelcast lite member: it needs the shared maps, not the event bus, and Vert.x cannot start
 * clustered on a lite member while no data member exists (the balancer may start first).
 */
public final class ClusterBoot {
  /**
   * Hazelcast runs async callbacks on the common ForkJoinPool, which starts a new thread per task
   * when its parallelism is 1 (the default on 2 CPUs): a thread start per cluster call.
   */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static final int MIN_COMMON_POOL_PARALLELISM = 2;

  /**
   * Vert.x members read this attribute of every Hazelcast member (vertx-hazelcast's private
   * NODE_ID_ATTRIBUTE); a lite member without it would be handled as a null node id when it joins
   * or leaves. With a random id it looks like a Vert.x node that has no event-bus consumers.
   */
  static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private ClusterBoot() {}

  public static Future<ClusterRuntime> start(EnvConfig env) {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      int parallelism =
          Math.max(MIN_COMMON_POOL_PARALLELISM, Runtime.getRuntime().availableProcessors() - 1);
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(parallelism));
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", env.nodeId());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);

    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            // a meter lookup per event-bus message would tax every cross-node relay;
            // p2p_cross_node_messages_total counts them instead
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    if (env.role() == Role.NODE) {
      // On a node every WebSocket is an HTTP/TCP connection: these meters record a summary per
      // read and per write and keep state per connection. The p2p_* meters count what matters.
      metrics
          .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
          .addDisabledMetricsCategory(MetricsDomain.NET_SERVER);
    }
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics);
    if (env.role().liteMember()) {
      return startBesideLiteMember(env, options, registry);
    }
    HazelcastClusterManager clusterManager =
        new HazelcastClusterManager(HazelcastConfigs.forEnv(env));
    options.getEventBusOptions().setHost(env.clusterHost()).setPort(0);
    env.eventBusTls().ifPresent(tls -> tls.applyTo(options.getEventBusOptions()));
    return Vertx.builder()
        .with(options)
        .withClusterManager(clusterManager)
        .withMetrics(new MicrometerMetricsFactory(registry))
        .buildClustered()
        .map(
            vertx ->
                new ClusterRuntime(env, vertx, clusterManager.getHazelcastInstance(), registry));
  }

  private static Future<ClusterRuntime> startBesideLiteMember(
      EnvConfig env, VertxOptions options, PrometheusMeterRegistry registry) {
    Config config = HazelcastConfigs.forEnv(env);
    config
        .getMemberAttributeConfig()
        .setAttribute(VERTX_NODE_ID_ATTRIBUTE, UUID.randomUUID().toString());
    Vertx vertx =
        Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
    return vertx
        .executeBlocking(() -> Hazelcast.newHazelcastInstance(config), false)
        .map(hazelcast -> new ClusterRuntime(env, vertx, hazelcast, registry))
        .onFailure(e -> vertx.close());
  }
}
