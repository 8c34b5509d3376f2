package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.signaling.support.TestCluster;
import p2pshare.signaling.support.WsClient;

/**
 * An orphan's resume window ends (its record and its token go) even when the member whose janitor
 * made it an orphan — the one that used to hold the expiry timer — has died since.
 */
class OrphanExpiryTest {
  static final String RESUME_WINDOW_S = "6";

  /** Generous: expiry runs in Hazelcast's background task after the window, on a loaded host. */
  static final long WAIT_MS = 90_000;

  @Test
  void anOrphanAndItsTokenGoAfterTheWindowAlthoughTheJanitorThatMadeItDied() throws Exception {
    Vertx client = Vertx.vertx();
    try (TestCluster cluster = TestCluster.start(3, Map.of("RESUME_WINDOW_S", RESUME_WINDOW_S))) {
      IMap<String, String> peers =
          cluster.node(1).runtime().hazelcast().getMap(ClusterNames.PEERS_MAP);
      IMap<String, String> tokens =
          cluster.node(1).runtime().hazelcast().getMap(ClusterNames.RESUME_TOKENS_MAP);
      WsClient doomed = WsClient.connect(client, cluster.port(2));
      JsonObject welcome = doomed.join(Ids.randomId());
      String peerId = welcome.getString("peerId");
      String tokenHash = Ids.sha256Hex(welcome.getString("resume"));

      cluster.crash(2);
      // node-1, the oldest member, runs the janitor: the peer becomes an orphan.
      awaitTrue(
          () -> peers.containsKey(peerId) && PeerRecord.fromJson(peers.get(peerId)).orphaned(),
          "the janitor made the dead node's peer an orphan");
      assertTrue(tokens.containsKey(tokenHash), "the token works during the window");

      // One death at a time: with one backup, a second member killed while the partitions of the
      // first are still migrating takes whole partitions with it ("partitionId=71 is completely
      // lost" in a CI run) — the deadline entry included. That is not what this test is about.
      awaitTrue(
          () -> cluster.node(1).runtime().hazelcast().getPartitionService().isClusterSafe(),
          "the partitions of the first dead member are backed up again");
      cluster.crash(0);
      awaitTrue(() -> !tokens.containsKey(tokenHash), "the orphan's token went after its window");
      // Awaited, not read once: OrphanExpiry removes the record before the token, yet twice under
      // load (30-50) a read right after the token went still saw the record — plausibly the
      // crashed member's partitions migrating under the read; a record that stays still fails.
      awaitTrue(() -> !peers.containsKey(peerId), "the orphan's record went with its token");
    } finally {
      TestCluster.await(client.close());
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
      }
      Thread.sleep(50);
    }
  }
}
