package p2pshare.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * Merges {@link ClusterNames#PEERS_MAP} after a split brain: the record with the higher epoch wins
 * (the peer moved later on that side), and on a tie one that is not orphaned (the other side's
 * janitor only thought its node dead). Otherwise the cluster merged into keeps its own.
 */
public final class PeerRecordMergePolicy
    implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (existing == null || existing.getValue() == null) {
      return merging.getRawValue();
    }
    if (merging == null || merging.getValue() == null) {
      return existing.getRawValue();
    }
    return prefersMerging(
            PeerRecord.fromJson(merging.getValue()), PeerRecord.fromJson(existing.getValue()))
        ? merging.getRawValue()
        : existing.getRawValue();
  }

  static boolean prefersMerging(PeerRecord merging, PeerRecord existing) {
    if (merging.epoch() != existing.epoch()) {
      return merging.epoch() > existing.epoch();
    }
    return existing.orphaned() && !merging.orphaned();
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // stateless
  }

  @Override
  public void readData(ObjectDataInput in) {
    // stateless
  }
}
