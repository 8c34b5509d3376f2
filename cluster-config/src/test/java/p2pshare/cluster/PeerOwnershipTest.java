package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The peer record's processors act only for the node that owns the peer. */
class PeerOwnershipTest {
  private static Map.Entry<String, String> record(String node, long orphanUntil) {
    return new AbstractMap.SimpleEntry<>(
        "peer", new PeerRecord("room", node, null, "hash", 1, orphanUntil).toJson());
  }

  @Test
  void aNodeRemovesOnlyAPeerItOwns() {
    Map.Entry<String, String> entry = record("n2", 0);
    assertFalse(new PeerOwnership.RemoveIfOwner("n1").process(entry));
    assertEquals("n2", PeerRecord.fromJson(entry.getValue()).nodeId());
    assertTrue(new PeerOwnership.RemoveIfOwner("n2").process(entry));
    assertNull(entry.getValue());
    assertFalse(new PeerOwnership.RemoveIfOwner("n2").process(entry), "gone already");
  }

  @Test
  void anOrphanIsMarkedOnlyForItsDeadNodeAndExpiresOnlyAfterItsWindow() {
    Map.Entry<String, String> moved = record("n2", 0);
    assertFalse(new DeadNodeJanitor.MarkOrphan("n1", 1_000).process(moved), "it moved on");
    Map.Entry<String, String> entry = record("n1", 0);
    assertTrue(new DeadNodeJanitor.MarkOrphan("n1", 1_000).process(entry));
    assertNull(new DeadNodeJanitor.ExpireOrphan(999).process(entry), "window still open");
    assertEquals("hash", new DeadNodeJanitor.ExpireOrphan(1_001).process(entry));
    assertNull(entry.getValue());
    Map.Entry<String, String> resumed = record("n3", 0);
    assertNull(new DeadNodeJanitor.ExpireOrphan(1_001).process(resumed), "not an orphan");
    assertEquals("n3", PeerRecord.fromJson(resumed.getValue()).nodeId());
  }

  @Test
  void aClaimConfirmsTakesBackOrFindsThePeerLost() {
    assertEquals(
        PeerOwnership.Claim.OWNED, new PeerOwnership.ClaimIfOwner("n1").process(record("n1", 0)));
    Map.Entry<String, String> orphan = record("n1", 5_000);
    assertEquals(
        PeerOwnership.Claim.RECLAIMED, new PeerOwnership.ClaimIfOwner("n1").process(orphan));
    assertFalse(PeerRecord.fromJson(orphan.getValue()).orphaned(), "no longer an orphan");
    Map.Entry<String, String> moved = record("n2", 0);
    assertEquals(PeerOwnership.Claim.LOST, new PeerOwnership.ClaimIfOwner("n1").process(moved));
    assertEquals("n2", PeerRecord.fromJson(moved.getValue()).nodeId(), "left untouched");
    assertEquals(
        PeerOwnership.Claim.LOST,
        new PeerOwnership.ClaimIfOwner("n1").process(new AbstractMap.SimpleEntry<>("p", null)));
  }

  @Test
  void afterASplitBrainTheRecordOfTheLaterMoveWinsThenTheOneNotOrphaned() {
    PeerRecord onA = new PeerRecord("room", "a", null, "h", 1, 0);
    PeerRecord movedToB = onA.movedTo("b", "h2");
    assertTrue(PeerRecordMergePolicy.prefersMerging(movedToB, onA));
    assertFalse(PeerRecordMergePolicy.prefersMerging(onA, movedToB));
    PeerRecord orphaned = onA.orphanedUntil(9_000);
    assertTrue(PeerRecordMergePolicy.prefersMerging(onA, orphaned));
    assertFalse(PeerRecordMergePolicy.prefersMerging(orphaned, onA));
    assertFalse(PeerRecordMergePolicy.prefersMerging(onA, onA), "a tie keeps the existing one");
  }
}
