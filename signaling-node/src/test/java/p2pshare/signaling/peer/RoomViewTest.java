package p2pshare.signaling.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.RoomMembers;

/** The room view keeps the newest news per peer, whatever order events and snapshots come in. */
class RoomViewTest {
  private final RoomView view = new RoomView();

  private static Map<String, RoomMembers.Member> record(Object... idNodeSince) {
    Map<String, RoomMembers.Member> out = new LinkedHashMap<>();
    for (int i = 0; i < idNodeSince.length; i += 3) {
      out.put(
          (String) idNodeSince[i],
          new RoomMembers.Member((String) idNodeSince[i + 1], null, (Long) idNodeSince[i + 2]));
    }
    return out;
  }

  @Test
  void aStaleJoinNeverRevivesAPeerThatLeft() {
    assertTrue(view.apply("x", "n1", null, true, 5));
    assertTrue(view.apply("x", "", null, false, 7));
    assertFalse(view.apply("x", "n1", null, true, 5), "the join is older than the leave");
    assertFalse(view.isMember("x"));
  }

  @Test
  void aLeaveThatOvertakesTheJoinStillWins() {
    assertTrue(view.apply("x", "", null, false, 7));
    assertFalse(view.apply("x", "n1", null, true, 5));
    assertNull(view.nodeOf("x"));
  }

  @Test
  void anOlderSnapshotDoesNotUndoANewerEvent() {
    view.apply("x", "n1", null, true, 10);
    List<String> changed = view.applySnapshot(record("y", "n2", 3L), 4, n -> true);
    assertEquals(List.of("y"), changed);
    assertTrue(view.isMember("x"), "x joined after the snapshot was taken");
    assertTrue(view.isMember("y"));
  }

  @Test
  void aNewerSnapshotRemovesWhatItNoLongerLists() {
    view.apply("x", "n1", null, true, 2);
    view.apply("y", "n2", null, true, 3);
    List<String> changed = view.applySnapshot(record("y", "n2", 3L), 9, n -> true);
    assertEquals(List.of("x"), changed);
    assertFalse(view.isMember("x"));
    assertFalse(view.apply("x", "n1", null, true, 2), "a late copy of x's join is stale");
  }

  @Test
  void anEventOlderThanTheLastSnapshotAboutAnUnknownPeerIsStale() {
    view.applySnapshot(record("y", "n2", 3L), 9, n -> true);
    assertFalse(view.apply("z", "n1", null, true, 8), "z was not a member at 9");
    assertTrue(view.apply("z", "n1", null, true, 10));
  }

  @Test
  void aDeadNodesPeersAreGoneUntilTheyJoinAgainAtANewerVersion() {
    view.apply("x", "n1", null, true, 4);
    view.apply("y", "n2", null, true, 5);
    assertEquals(List.of("x"), view.nodeGone("n1"));
    assertFalse(view.isMember("x"));
    view.applySnapshot(record("x", "n1", 4L, "y", "n2", 5L), 5, n -> true);
    assertFalse(view.isMember("x"), "the record still lists x until the janitor runs");
    assertTrue(view.apply("x", "n3", null, true, 6), "x resumed on n3");
    assertEquals("n3", view.nodeOf("x"));
  }

  @Test
  void aSnapshotDoesNotReviveMembersOfNodesThatAreNotLive() {
    view.apply("x", "n1", null, true, 4);
    List<String> changed =
        view.applySnapshot(record("x", "n1", 4L, "w", "n1", 5L), 5, n -> !n.equals("n1"));
    assertEquals(List.of("x"), changed);
    assertFalse(view.isMember("x"));
    assertFalse(view.isMember("w"));
  }
}
