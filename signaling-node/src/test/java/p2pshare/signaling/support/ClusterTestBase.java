package p2pshare.signaling.support;

import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * A real cluster per test class, and a Vert.x for its WebSocket clients; closed after the class.
 */
public abstract class ClusterTestBase {
  protected static TestCluster cluster;
  protected static Vertx clientVertx;

  protected static void startCluster(int nodes, Map<String, String> env) {
    cluster = TestCluster.start(nodes, env);
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopCluster() {
    TestCluster.await(clientVertx.close());
    cluster.close();
  }
}
