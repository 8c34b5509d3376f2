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
}
