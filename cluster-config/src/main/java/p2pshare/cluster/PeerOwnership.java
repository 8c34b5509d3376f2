package p2pshare.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Entry processors on {@link ClusterNames#PEERS_MAP} that act only while a node still owns the
 * peer: the check and the change are one atomic step on the key's partition, so a node that was
 * frozen or cut off never removes a peer that has since moved to another node.
 */
public final class PeerOwnership {
  private PeerOwnership() {}

  /** Removes the peer's record if {@code nodeId} owns it; returns whether it did. */
  public record RemoveIfOwner(String nodeId) implements EntryProcessor<String, String, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null
          || !PeerRecord.fromJson(entry.getValue()).nodeId().equals(nodeId)) {
        return false;
      }
      entry.setValue(null);
      return true;
    }
  }

  /** What a node's claim on a peer found. */
  public enum Claim {
    /** The record names this node and is in force. */
    OWNED,
    /** The record names this node but was orphaned (the cluster thought it dead): taken back. */
    RECLAIMED,
    /** The record is gone or names another node: the peer is no longer this node's. */
    LOST
  }

  /**
   * Confirms (and, if it was orphaned by a janitor that thought this node dead, takes back) a peer
   * this node still holds, in one atomic step with the ownership check.
   */
  public record ClaimIfOwner(String nodeId) implements EntryProcessor<String, String, Claim> {
    @Override
    public Claim process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return Claim.LOST;
      }
      PeerRecord record = PeerRecord.fromJson(entry.getValue());
      if (!record.nodeId().equals(nodeId)) {
        return Claim.LOST;
      }
      if (!record.orphaned()) {
        return Claim.OWNED;
      }
      entry.setValue(record.orphanedUntil(0).toJson());
      return Claim.RECLAIMED;
    }
  }
}
