package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2ptest.gadget.Gadget;

/**
 * Issue 14 finding 7: a member built by {@link HazelcastConfigs} refuses to deserialize a class
 * outside the allow-list that another member (here one without the filter, as anything that reaches
 * port 5701 could be) sends it — the gadget's readObject never runs — while the project's own entry
 * processors still work. Real members on 127.0.0.1 with a random cluster name.
 */
class DeserializationFilterTest {
  private static final long CLUSTER_SAFE_WAIT_MS = 30_000;

  static HazelcastInstance filtered;
  static HazelcastInstance attacker;

  @BeforeAll
  static void start() throws Exception {
    String cluster = "filter-test-" + UUID.randomUUID();
    int filteredPort = freePort();
    int attackerPort = freePort();
    filtered =
        Hazelcast.newHazelcastInstance(
            HazelcastConfigs.forEnv(env(cluster, filteredPort, filteredPort, attackerPort)));
    Config open = HazelcastConfigs.forEnv(env(cluster, attackerPort, filteredPort, attackerPort));
    open.getSerializationConfig().setJavaSerializationFilterConfig(null);
    attacker = Hazelcast.newHazelcastInstance(open);
    assertEquals(2, filtered.getCluster().getMembers().size(), "one cluster");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLUSTER_SAFE_WAIT_MS);
    while (!attacker.getPartitionService().isClusterSafe()) {
      assertTrue(System.nanoTime() < deadline, "partitions settled");
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    if (attacker != null) {
      attacker.shutdown();
    }
    if (filtered != null) {
      filtered.shutdown();
    }
  }

  @Test
  void anEntryProcessorOfAForeignClassIsRefusedBeforeItsReadObjectRuns() {
    String key = keyOwnedBy(filtered);
    IMap<String, Object> map = attacker.getMap(ClusterNames.ROOMS_MAP);
    int before = Gadget.READ_OBJECT_CALLS.get();
    RuntimeException refused =
        assertThrows(RuntimeException.class, () -> map.executeOnKey(key, new Gadget()));
    assertTrue(
        chain(refused).contains("Resolving class p2ptest.gadget.Gadget is not allowed"),
        chain(refused));
    assertEquals(before, Gadget.READ_OBJECT_CALLS.get(), "the gadget's readObject ran");
  }

  @Test
  void aStoredValueOfAForeignClassIsNotDeserializedByAFilteredMember() {
    String key = keyOwnedBy(filtered);
    attacker.getMap("foreign-values").put(key, new Gadget());
    int before = Gadget.READ_OBJECT_CALLS.get();
    IMap<String, Object> seen = filtered.getMap("foreign-values");
    RuntimeException refused = assertThrows(RuntimeException.class, () -> seen.get(key));
    assertTrue(chain(refused).contains("is not allowed"), chain(refused));
    assertEquals(before, Gadget.READ_OBJECT_CALLS.get(), "the gadget's readObject ran");
  }

  @Test
  void theProjectsOwnEntryProcessorsStillRunOnAFilteredMember() {
    String key = keyOwnedBy(filtered);
    IMap<String, RoomMembers.Members> rooms = attacker.getMap(ClusterNames.ROOM_MEMBERS_MAP);
    RoomMembers.JoinResult joined =
        rooms.executeOnKey(
            key, new RoomMembers.Join("peer-1", new RoomMembers.Member("node-a", "{}"), 4));
    assertTrue(!joined.full() && !joined.wasMember(), joined.toString());
    assertEquals(
        1,
        filtered
            .<String, RoomMembers.Members>getMap(ClusterNames.ROOM_MEMBERS_MAP)
            .get(key)
            .size());
  }

  /** A key whose partition the filtered member owns, so the operation runs (and decodes) there. */
  private static String keyOwnedBy(HazelcastInstance owner) {
    for (int i = 0; ; i++) {
      String key = "k-" + UUID.randomUUID();
      if (owner.getPartitionService().getPartition(key).getOwner().localMember()) {
        return key;
      }
    }
  }

  private static String chain(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c).append(" <- ");
    }
    return s.toString();
  }

  private static EnvConfig env(String cluster, int clusterPort, int... memberPorts) {
    Map<String, String> env = new HashMap<>();
    env.put("CLUSTER_NAME", cluster);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPort));
    StringBuilder members = new StringBuilder();
    for (int p : memberPorts) {
      members.append(members.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
    }
    env.put("CLUSTER_MEMBERS", members.toString());
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
