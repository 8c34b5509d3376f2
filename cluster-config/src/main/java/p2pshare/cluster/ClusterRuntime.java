package p2pshare.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A started process: the clustered Vert.x, the Hazelcast member behind it and its meters. */
public record ClusterRuntime(
    EnvConfig env, Vertx vertx, HazelcastInstance hazelcast, PrometheusMeterRegistry registry) {

  /** Closes Vert.x, which leaves the cluster and shuts the Hazelcast member down. */
  public Future<Void> close() {
    return vertx.close();
  }
}
