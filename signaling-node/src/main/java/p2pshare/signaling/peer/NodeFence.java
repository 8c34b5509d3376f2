package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.MembershipMetrics;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * What a node does when it learns that the cluster went on without it (it stood still past the
 * heartbeat, or it is being merged back after a partition): it stops acting as the owner of its
 * peers at once — each socket gets {@code reconnect} and the peer ends here, without touching the
 * cluster, whose view of these peers is newer than this node's. Once the node is back in the
 * cluster, {@link #cleanUp()} makes whatever it still owned resumable elsewhere (orphans, as for a
 * dead node: the resume says recovered:false) and takes it out of its rooms, every step checking
 * ownership atomically. Joins are refused (draining) while fenced.
 */
public final class NodeFence {
  private static final Logger LOG = LoggerFactory.getLogger(NodeFence.class);

  /** The close code after the reconnect frame: the service restarts, resume elsewhere. */
  static final short CLOSE_CODE = 1012;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalPeers local;
  private final Membership membership;
  private final NodeRouter router;
  private final long resumeWindowMs;
  private final MembershipMetrics metrics;
  private final AtomicBoolean fenced = new AtomicBoolean();
  private final Set<LocalPeer> cut = ConcurrentHashMap.newKeySet();

  /** Peers given up by a fence, remembered for the resume window so handovers can say so. */
  private final Set<String> givenUp = ConcurrentHashMap.newKeySet();

  public NodeFence(
      Vertx vertx,
      String nodeId,
      LocalPeers local,
      Membership membership,
      NodeRouter router,
      int resumeWindowS,
      MembershipMetrics metrics) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.local = local;
    this.membership = membership;
    this.router = router;
    this.resumeWindowMs = resumeWindowS * 1000L;
    this.metrics = metrics;
  }

  public boolean fenced() {
    return fenced.get();
  }

  /** True if this node gave {@code peerId} up when it fenced itself (within the window). */
  public boolean gaveUp(String peerId) {
    return givenUp.contains(peerId);
  }

  /** Stops acting for every local peer; no cluster call (the cluster may not have us yet). */
  public void fence(String why) {
    fenced.set(true);
    List<LocalPeer> peers = new ArrayList<>(local.all());
    peers.forEach(this::cut);
    cut.addAll(peers);
    List<String> ids = peers.stream().map(LocalPeer::peerId).toList();
    givenUp.addAll(ids);
    vertx.setTimer(resumeWindowMs, t -> ids.forEach(givenUp::remove));
    metrics.fenced(peers.size());
    LOG.warn("fenced node={} why={} peers={}", nodeId, why, peers.size());
  }

  /**
   * Back in the cluster: every peer cut by the fence becomes an orphan (if this node still owns it)
   * that may resume elsewhere until the resume window ends, and leaves its room (if listed here).
   * Joins are accepted again once done.
   */
  public Future<Void> cleanUp() {
    List<LocalPeer> peers = new ArrayList<>(cut);
    cut.removeAll(peers);
    long until = System.currentTimeMillis() + resumeWindowMs;
    List<Future<?>> steps = new ArrayList<>();
    for (LocalPeer peer : peers) {
      steps.add(membership.markOrphan(peer.peerId(), nodeId, until));
      steps.add(leaveRoom(peer));
    }
    return Future.join(steps)
        .onComplete(
            ar -> {
              fenced.set(false);
              LOG.info(
                  "fence lifted node={} orphaned={} ok={}", nodeId, peers.size(), ar.succeeded());
            })
        .mapEmpty();
  }

  /**
   * One peer the cluster says this node no longer owns (it moved on while this node was away): its
   * socket is told to reconnect, and it leaves its room only where this node still lists it.
   */
  public Future<Void> release(LocalPeer peer) {
    cut(peer);
    metrics.fenced(1);
    return leaveRoom(peer);
  }

  private void cut(LocalPeer peer) {
    String reconnect = ServerMessages.reconnect("draining").encode();
    peer.onLoop(
        () -> {
          if (peer.state() != LocalPeer.State.GONE) {
            peer.end(reconnect, CLOSE_CODE, "node fenced");
          }
        });
    local.unregister(peer, null);
  }

  private Future<Void> leaveRoom(LocalPeer peer) {
    return membership
        .leave(peer.room(), peer.peerId(), nodeId)
        .map(
            result -> {
              if (result != null) {
                router.announceLeft(
                    peer.room(), peer.peerId(), result.remaining(), result.version());
              }
              return (Void) null;
            });
  }
}
