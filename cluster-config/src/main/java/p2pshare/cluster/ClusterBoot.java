package p2pshare.cluster;

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

/** Starts a clustered Vert.x with a Hazelcast member and a Prometheus registry. */
public final class ClusterBoot {
  /**
   * Hazelcast runs async callbacks on the common ForkJoinPool, which starts a new thread per task
   * when its parallelism is 1 (the default on 2 CPUs): a thread start per cluster call.
   */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static final int MIN_COMMON_POOL_PARALLELISM = 2;

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

    HazelcastClusterManager clusterManager =
        new HazelcastClusterManager(HazelcastConfigs.forEnv(env));
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
    options.getEventBusOptions().setHost(env.clusterHost()).setPort(0);
    return Vertx.builder()
        .with(options)
        .withClusterManager(clusterManager)
        .withMetrics(new MicrometerMetricsFactory(registry))
        .buildClustered()
        .map(
            vertx ->
                new ClusterRuntime(env, vertx, clusterManager.getHazelcastInstance(), registry));
  }
}
