package p2pshare.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** A started process: the clustered Vert.x, the Hazelcast member behind it and its meters. */
public record ClusterRuntime(
    EnvConfig env, Vertx vertx, HazelcastInstance hazelcast, PrometheusMeterRegistry registry) {

  /**
   * Leaves the cluster and closes Vert.x. A clustered Vert.x shuts its Hazelcast member down
   * itself; beside a lite member (the balancer) the member is shut down first.
   */
  public Future<Void> close() {
    if (vertx.isClustered()) {
      return vertx.close();
    }
    // Not chained on Vert.x futures: their callbacks would need the context that close ends.
    Promise<Void> closed = Promise.promise();
    vertx
        .executeBlocking(
            () -> {
              hazelcast.shutdown();
              return null;
            },
            false)
        .onComplete(ignored -> vertx.close().onComplete(closed));
    return closed.future();
  }
}
