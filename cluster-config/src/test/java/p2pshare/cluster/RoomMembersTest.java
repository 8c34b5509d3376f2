package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The room index's entry processors, run on plain entries as Hazelcast runs them on a key. */
class RoomMembersTest {
  private final Map.Entry<String, RoomMembers.Members> room =
      new AbstractMap.SimpleEntry<>("room", null);

  private RoomMembers.JoinResult join(String peer, String node, int max) {
    return new RoomMembers.Join(peer, new RoomMembers.Member(node, "{}"), max).process(room);
  }

  @Test
  void joinsSeeExactlyTheMembersBeforeThemAndEachBumpsTheVersion() {
    RoomMembers.JoinResult a = join("a", "n1", 64);
    RoomMembers.JoinResult b = join("b", "n2", 64);
    RoomMembers.JoinResult c = join("c", "n1", 64);
    assertEquals(List.of(), List.copyOf(a.others().keySet()));
    assertEquals(List.of("a"), List.copyOf(b.others().keySet()));
    assertEquals(List.of("a", "b"), List.copyOf(c.others().keySet()));
    assertTrue(a.version() < b.version() && b.version() < c.version());
    assertEquals(c.version(), room.getValue().version());
    assertEquals(b.version(), room.getValue().get("b").since(), "a member carries its version");
    assertEquals(a.version(), c.others().get("a").since());
  }

  @Test
  void aFullRoomRefusesWithoutChangingAnything() {
    join("a", "n1", 2);
    RoomMembers.JoinResult b = join("b", "n1", 2);
    RoomMembers.JoinResult c = join("c", "n1", 2);
    assertTrue(c.full());
    assertEquals(b.version(), room.getValue().version());
    assertEquals(2, room.getValue().size());
  }

  @Test
  void joiningAgainMovesTheMemberAndSaysSo() {
    join("a", "n1", 64);
    RoomMembers.JoinResult moved = join("a", "n2", 64);
    assertTrue(moved.wasMember());
    assertEquals("n2", room.getValue().get("a").nodeId());
    assertEquals(moved.version(), room.getValue().get("a").since());
  }

  @Test
  void onlyTheOwningNodeCanRemoveAPeer() {
    join("a", "n1", 64);
    RoomMembers.JoinResult b = join("b", "n2", 64);
    assertNull(new RoomMembers.Leave("a", "n2").process(room), "n2 does not own a");
    assertEquals(b.version(), room.getValue().version(), "a refused leave changes nothing");
    RoomMembers.LeaveResult left = new RoomMembers.Leave("a", "n1").process(room);
    assertEquals(List.of("b"), List.copyOf(left.remaining().keySet()));
    assertTrue(left.version() > b.version());
    assertEquals(left.version(), room.getValue().version());
    assertNull(new RoomMembers.Leave("a", "n1").process(room), "a second leave is a no-op");
  }

  @Test
  void theLastLeaveRemovesTheRoomAndARoomMadeAgainStillOrdersAfter() {
    RoomMembers.JoinResult a = join("a", "n1", 64);
    RoomMembers.LeaveResult left = new RoomMembers.Leave("a", "n1").process(room);
    assertNull(room.getValue());
    assertTrue(left.version() > a.version());
    long before = RoomMembers.wallClockMicros();
    RoomMembers.JoinResult again = join("b", "n1", 64);
    assertTrue(again.version() >= before, "a new room starts at the wall clock, not at 1");
  }

  @Test
  void droppingANodeRemovesOnlyItsPeers() {
    join("a", "n1", 64);
    join("b", "n2", 64);
    RoomMembers.JoinResult c = join("c", "n1", 64);
    RoomMembers.DropResult dropped = new RoomMembers.DropNode("n1").process(room);
    assertEquals(List.of("a", "c"), dropped.dropped());
    assertTrue(dropped.version() > c.version());
    assertEquals(List.of("b"), List.copyOf(room.getValue().keySet()));
    RoomMembers.DropResult none = new RoomMembers.DropNode("n3").process(room);
    assertTrue(none.dropped().isEmpty());
    assertEquals(dropped.version(), none.version(), "dropping nothing changes nothing");
    assertFalse(room.getValue().isEmpty());
  }
}
