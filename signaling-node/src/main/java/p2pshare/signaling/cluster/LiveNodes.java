package p2pshare.signaling.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import p2pshare.cluster.ClusterNames;

/**
 * The node ids of the cluster's current members, as this member sees them. A node the cluster
 * declared dead is not live, so nothing it still sends (it may only have been frozen or cut off) is
 * acted on, and a room snapshot does not bring its peers back.
 */
public final class LiveNodes implements MembershipListener {
  private final String self;
  private final HazelcastInstance hazelcast;
  private final Set<String> live = ConcurrentHashMap.newKeySet();

  public LiveNodes(HazelcastInstance hazelcast, String self) {
    this.self = self;
    this.hazelcast = hazelcast;
    hazelcast.getCluster().addMembershipListener(this);
    refresh(hazelcast.getCluster().getMembers());
  }

  public boolean isLive(String nodeId) {
    if (nodeId == null) {
      return false;
    }
    if (nodeId.equals(self) || live.contains(nodeId)) {
      return true;
    }
    // A member that joined a moment ago may be ahead of its memberAdded event: ask the cluster.
    refresh(hazelcast.getCluster().getMembers());
    return live.contains(nodeId);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    refresh(event.getMembers());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    refresh(event.getMembers());
  }

  private synchronized void refresh(Set<Member> members) {
    Set<String> now = ConcurrentHashMap.newKeySet();
    members.forEach(
        m -> {
          String id = m.getAttribute(ClusterNames.ATTR_NODE_ID);
          if (id != null) {
            now.add(id);
          }
        });
    live.retainAll(now);
    live.addAll(now);
  }
}
