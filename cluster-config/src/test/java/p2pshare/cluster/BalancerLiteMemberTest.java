package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The balancer joins Hazelcast as a lite member: it owns no partition and holds no map entry, so a
 * stalled balancer never blocks the signaling nodes' data (issue 12 item 5). Real members on
 * 127.0.0.1 with a random cluster name.
 */
class BalancerLiteMemberTest {
  private static final int ENTRIES = 500;

  @Test
  void theBalancerIsALiteMemberAndANodeIsNot() {
    assertTrue(HazelcastConfigs.forEnv(env(Role.BALANCER, "c", 5701, 5701)).isLiteMember());
    assertFalse(HazelcastConfigs.forEnv(env(Role.NODE, "c", 5701, 5701)).isLiteMember());
  }

  @Test
  void theBalancerOwnsNoPartitionAndNoEntryWhenANodeHoldsTheData() {
    String cluster = "lite-test-" + UUID.randomUUID();
    int nodePort = freePort();
    int balancerPort = freePort();
    HazelcastInstance node =
        Hazelcast.newHazelcastInstance(
            HazelcastConfigs.forEnv(env(Role.NODE, cluster, nodePort, nodePort, balancerPort)));
    try {
      HazelcastInstance balancer =
          Hazelcast.newHazelcastInstance(
              HazelcastConfigs.forEnv(
                  env(Role.BALANCER, cluster, balancerPort, nodePort, balancerPort)));
      try {
        assertEquals(2, balancer.getCluster().getMembers().size(), "one cluster");
        assertTrue(balancer.getCluster().getLocalMember().isLiteMember());
        IMap<String, String> rooms = balancer.getMap(ClusterNames.ROOMS_MAP);
        for (int i = 0; i < ENTRIES; i++) {
          rooms.put("room-" + i, "v");
        }
        assertEquals(ENTRIES, rooms.size(), "the balancer reads and writes through the node");
        assertEquals(0, rooms.getLocalMapStats().getOwnedEntryCount(), "owned on the balancer");
        assertEquals(0, rooms.getLocalMapStats().getBackupEntryCount(), "backups on the balancer");
        for (Partition p : balancer.getPartitionService().getPartitions()) {
          assertFalse(p.getOwner().localMember(), "partition " + p.getPartitionId());
        }
      } finally {
        balancer.shutdown();
      }
    } finally {
      node.shutdown();
    }
  }

  private static EnvConfig env(Role role, String cluster, int clusterPort, int... memberPorts) {
    Map<String, String> env = new HashMap<>();
    env.put("CLUSTER_NAME", cluster);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPort));
    StringBuilder members = new StringBuilder();
    for (int p : memberPorts) {
      members.append(members.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
    }
    env.put("CLUSTER_MEMBERS", members.toString());
    return EnvConfig.from(env, role);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
