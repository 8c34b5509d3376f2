package p2pshare.signaling.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterNames;

/**
 * When a member leaves the cluster, every local peer that shares a room with the dead node's peers
 * gets peer-left for each of them (the janitor cleans the shared state once).
 */
public final class NodeDeathWatcher implements MembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(NodeDeathWatcher.class);

  private final Vertx vertx;
  private final LocalInbox local;

  public NodeDeathWatcher(Vertx vertx, LocalInbox local) {
    this.vertx = vertx;
    this.local = local;
  }

  @Override
  public void memberAdded(MembershipEvent event) {}

  @Override
  public void memberRemoved(MembershipEvent event) {
    String deadNode = event.getMember().getAttribute(ClusterNames.ATTR_NODE_ID);
    if (deadNode == null) {
      return;
    }
    vertx.runOnContext(v -> notifyLocalPeers(deadNode));
  }

  private void notifyLocalPeers(String deadNode) {
    int told = local.nodeGone(deadNode);
    LOG.info("node gone node={} peerLeftSent={}", deadNode, told);
  }
}
