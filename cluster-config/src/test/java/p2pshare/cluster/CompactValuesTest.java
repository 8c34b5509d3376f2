package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A member built by {@link HazelcastConfigs} writes every value and entry processor of the project
 * Compact-serialized (not Java-serialized) and reads back what it wrote. A real member on 127.0.0.1
 * with a random cluster name.
 */
class CompactValuesTest {
  static HazelcastInstance member;

  @BeforeAll
  static void start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    member =
        Hazelcast.newHazelcastInstance(
            HazelcastConfigs.forEnv(
                EnvConfig.from(
                    Map.of(
                        "CLUSTER_NAME",
                        "compact-test-" + UUID.randomUUID(),
                        "CLUSTER_HOST",
                        "127.0.0.1",
                        "CLUSTER_PORT",
                        String.valueOf(port),
                        "CLUSTER_MEMBERS",
                        "127.0.0.1:" + port),
                    Role.NODE)));
  }

  @AfterAll
  static void stop() {
    member.shutdown();
  }

  private static Object roundTrip(Object value) {
    SerializationService serialization =
        ((SerializationServiceSupport) member).getSerializationService();
    Data data = serialization.toData(value);
    assertEquals(
        SerializationConstants.TYPE_COMPACT,
        data.getType(),
        value.getClass().getName() + " is not Compact-serialized");
    return serialization.toObject(data);
  }

  private static RoomMembers.Members room() {
    RoomMembers.Members room = new RoomMembers.Members();
    room.put("peer-b", new RoomMembers.Member("node-2", null, 7));
    room.put("peer-a", new RoomMembers.Member("node-1", "{\"n\":1}", 9));
    room.version(9);
    return room;
  }

  @Test
  void theRoomIndexValueKeepsItsMembersInOrderAndItsVersion() {
    RoomMembers.Members back = (RoomMembers.Members) roundTrip(room());
    assertEquals(List.of("peer-b", "peer-a"), new ArrayList<>(back.keySet()));
    assertEquals(room(), back);
    assertEquals(9, back.version());
  }

  @Test
  void everyEntryProcessorAndResultTravelsCompact() {
    RoomMembers.Member member = new RoomMembers.Member("node-1", null, 3);
    List<Object> values =
        List.of(
            member,
            new RoomMembers.Join("peer-a", member, 4),
            new RoomMembers.Leave("peer-a", "node-1"),
            new RoomMembers.DropNode("node-1"),
            new RoomMembers.DropResult(new ArrayList<>(List.of("peer-a")), 5),
            new PeerOwnership.RemoveIfOwner("node-1"),
            new PeerOwnership.ClaimIfOwner("node-1"),
            new DeadNodeJanitor.MarkOrphan("node-1", 1_000),
            new DeadNodeJanitor.ExpireOrphan(2_000));
    for (Object value : values) {
      assertEquals(value, roundTrip(value));
    }
    RoomMembers.JoinResult joined =
        (RoomMembers.JoinResult) roundTrip(new RoomMembers.JoinResult(false, true, room(), 10));
    assertEquals(room(), joined.others());
    assertEquals(9, joined.others().version());
    assertEquals(10, joined.version());
    RoomMembers.LeaveResult left =
        (RoomMembers.LeaveResult) roundTrip(new RoomMembers.LeaveResult(room(), 11));
    assertEquals(room(), left.remaining());
    assertEquals(11, left.version());
  }
}
