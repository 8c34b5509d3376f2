package p2pshare.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans the shared state of a member that left the cluster. Every process registers one; only the
 * oldest member acts, so the work is done once. The dead node's peers leave the room index at once
 * and stay resumable as orphans (recovered:false) for the resume window, then {@link OrphanExpiry}
 * removes them — also when this member has died meanwhile.
 *
 * <p>The event may be stale by the time the work runs: a member that stood still or was cut off
 * sees the others "leave", and its first cluster call then waits until it has merged back into
 * them. So the janitor checks again, right before it touches anything, that the node is still
 * absent and that this member is still the oldest; otherwise it would orphan the live peers of a
 * node that never died.
 */
public final class DeadNodeJanitor implements MembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(DeadNodeJanitor.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final long resumeWindowMs;

  public DeadNodeJanitor(Vertx vertx, HazelcastInstance hazelcast, int resumeWindowS) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.resumeWindowMs = resumeWindowS * 1000L;
  }

  public void register() {
    hazelcast.getCluster().addMembershipListener(this);
    OrphanExpiry.listen(hazelcast);
  }

  @Override
  public void memberAdded(MembershipEvent event) {}

  @Override
  public void memberRemoved(MembershipEvent event) {
    String nodeId = event.getMember().getAttribute(ClusterNames.ATTR_NODE_ID);
    if (nodeId == null || !localIsOldest()) {
      return;
    }
    cleanUpLater(nodeId);
  }

  /**
   * Cleans up after {@code nodeId} on a worker thread; the result is how many of its peers were
   * orphaned, or -1 if the janitor did nothing because the node is back (or another member acts).
   */
  Future<Integer> cleanUpLater(String nodeId) {
    return vertx
        .executeBlocking(() -> cleanUp(nodeId), false)
        .onFailure(e -> LOG.warn("janitor failed node={} error={}", nodeId, e.toString()));
  }

  private boolean localIsOldest() {
    Member oldest = hazelcast.getCluster().getMembers().iterator().next();
    return oldest.localMember();
  }

  /** True while no member of the cluster carries {@code nodeId} and this member is the oldest. */
  private boolean stillMine(String nodeId) {
    Set<Member> members = hazelcast.getCluster().getMembers();
    boolean present =
        members.stream().anyMatch(m -> nodeId.equals(m.getAttribute(ClusterNames.ATTR_NODE_ID)));
    return !present && members.iterator().next().localMember();
  }

  private int cleanUp(String nodeId) {
    if (!stillMine(nodeId)) {
      LOG.info("janitor skipped node={} reason=back in the cluster or not the oldest", nodeId);
      return -1;
    }
    // The first call may wait out a merge of this member back into the cluster: look again.
    hazelcast.getMap(ClusterNames.NODES_MAP).remove(nodeId);
    if (!stillMine(nodeId)) {
      LOG.info("janitor skipped node={} reason=back in the cluster or not the oldest", nodeId);
      return -1;
    }
    IMap<String, RoomMembers.Members> rooms = hazelcast.getMap(ClusterNames.ROOM_MEMBERS_MAP);
    Map<String, RoomMembers.DropResult> dropped =
        rooms.executeOnEntries(new RoomMembers.DropNode(nodeId));
    List<String> peerIds = dropped.values().stream().flatMap(r -> r.dropped().stream()).toList();
    IMap<String, String> peers = hazelcast.getMap(ClusterNames.PEERS_MAP);
    long until = System.currentTimeMillis() + resumeWindowMs;
    for (String peerId : peerIds) {
      if (peers.executeOnKey(peerId, new MarkOrphan(nodeId, until))) {
        OrphanExpiry.schedule(hazelcast, peerId, until).toCompletableFuture().join();
      }
    }
    LOG.info("node gone node={} peersOrphaned={}", nodeId, peerIds.size());
    return peerIds.size();
  }

  /** Marks a peer of a dead node as an orphan, unless it already moved elsewhere. */
  public record MarkOrphan(String deadNodeId, long until)
      implements EntryProcessor<String, String, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return false;
      }
      PeerRecord record = PeerRecord.fromJson(entry.getValue());
      if (!record.nodeId().equals(deadNodeId) || record.orphaned()) {
        return false;
      }
      entry.setValue(record.orphanedUntil(until).toJson());
      return true;
    }
  }

  /**
   * Removes an orphan whose window has passed; returns its token hash so the token goes too. Run by
   * {@link OrphanExpiry} when the orphan's deadline entry expires.
   */
  public record ExpireOrphan(long now) implements EntryProcessor<String, String, String> {
    @Override
    public String process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      PeerRecord record = PeerRecord.fromJson(entry.getValue());
      if (!record.orphaned() || record.orphanUntil() > now) {
        return null;
      }
      entry.setValue(null);
      return record.tokenHash();
    }
  }
}
