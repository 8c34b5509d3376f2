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
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Starts a clustered Vert.x with a Hazelcast member and a Prometheus registry. */
public final class ClusterBoot {
  private ClusterBoot() {}

  public static Future<ClusterRuntime> start(EnvConfig env) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", env.nodeId());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);

    HazelcastClusterManager clusterManager =
        new HazelcastClusterManager(HazelcastConfigs.forEnv(env));
    VertxOptions options =
        new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
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
