package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The janitor acts on a node's death only while the node is still gone. A member that stood still
 * past the heartbeat sees the others "leave"; its janitor's first cluster call then waits until it
 * has merged back, and without a second look it would orphan the live peers of a node that never
 * died (the stall-8s fault scenario). Two real members on 127.0.0.1, random cluster name.
 */
class DeadNodeJanitorTest {
  private static final int RESUME_WINDOW_S = 30;
  private static final long AWAIT_S = 60;

  private final String cluster = "janitor-test-" + UUID.randomUUID();
  private final int port1 = freePort();
  private final int port2 = freePort();
  private Vertx vertx;
  private HazelcastInstance node1;
  private HazelcastInstance node2;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node1 = Hazelcast.newHazelcastInstance(HazelcastConfigs.forEnv(env("node-1", port1)));
    node2 = Hazelcast.newHazelcastInstance(HazelcastConfigs.forEnv(env("node-2", port2)));
  }

  @AfterEach
  void stop() {
    node2.getLifecycleService().terminate();
    node1.shutdown();
    vertx.close();
  }

  @Test
  void aDeathActedOnAfterTheNodeIsBackLeavesItsPeersAlone() throws Exception {
    String peer = placePeerOn("node-2");
    DeadNodeJanitor janitor = new DeadNodeJanitor(vertx, node1, RESUME_WINDOW_S);

    // node-1 is the oldest member, and node-2 (the "dead" node) is a member again.
    int orphaned =
        janitor
            .cleanUpLater("node-2")
            .toCompletionStage()
            .toCompletableFuture()
            .get(AWAIT_S, TimeUnit.SECONDS);

    assertEquals(-1, orphaned, "nothing done for a node that is back");
    assertTrue(rooms().get("room").containsKey(peer), "its peer is still listed in its room");
    assertFalse(record(peer).orphaned(), "its peer's record is not an orphan");
  }

  @Test
  void aNodeThatIsStillGoneHasItsPeersOrphaned() throws Exception {
    String peer = placePeerOn("node-2");
    DeadNodeJanitor janitor = new DeadNodeJanitor(vertx, node1, RESUME_WINDOW_S);
    node2.getLifecycleService().terminate();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_S);
    while (node1.getCluster().getMembers().size() > 1) {
      assertTrue(System.nanoTime() < deadline, "node-1 never saw node-2 leave");
      TimeUnit.MILLISECONDS.sleep(50); // polling interval of a condition with a deadline
    }

    int orphaned =
        janitor
            .cleanUpLater("node-2")
            .toCompletionStage()
            .toCompletableFuture()
            .get(AWAIT_S, TimeUnit.SECONDS);

    assertEquals(1, orphaned);
    RoomMembers.Members room = rooms().get("room");
    assertTrue(room == null || !room.containsKey(peer), "out of the room index");
    assertTrue(record(peer).orphaned(), "resumable as an orphan");
  }

  /** A peer of {@code nodeId} in room "room", with its record; returns its id. */
  private String placePeerOn(String nodeId) {
    String peer = Ids.randomId();
    rooms()
        .executeOnKey("room", new RoomMembers.Join(peer, new RoomMembers.Member(nodeId, null), 8));
    node1
        .<String, String>getMap(ClusterNames.PEERS_MAP)
        .set(peer, new PeerRecord("room", nodeId, null, "hash", 1, 0).toJson());
    return peer;
  }

  private IMap<String, RoomMembers.Members> rooms() {
    return node1.getMap(ClusterNames.ROOM_MEMBERS_MAP);
  }

  private PeerRecord record(String peer) {
    return PeerRecord.fromJson(node1.<String, String>getMap(ClusterNames.PEERS_MAP).get(peer));
  }

  private EnvConfig env(String nodeId, int clusterPort) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ID", nodeId);
    env.put("CLUSTER_NAME", cluster);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("CLUSTER_MEMBERS", "127.0.0.1:" + port1 + ",127.0.0.1:" + port2);
    return EnvConfig.from(env, Role.NODE);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
