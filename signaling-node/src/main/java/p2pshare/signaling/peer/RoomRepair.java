package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.PeerOwnership;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.MembershipMetrics;
import p2pshare.signaling.cluster.NodeRouter;

/**
 * Anti-entropy: repair, don't trust. For every room with local peers it reads the room's record,
 * brings the view up to it, puts back local peers the record lost while this node still owns them
 * (a janitor that thought it dead), lets go of those it no longer owns, and tells each local peer
 * whatever it missed (a lost event-bus message, a frozen or cut-off member). Runs periodically and
 * soon after any change of the cluster's members or a merge.
 */
public final class RoomRepair {
  private static final Logger LOG = LoggerFactory.getLogger(RoomRepair.class);

  /** Every room with local peers is compared with its record this often. */
  public static final long INTERVAL_MS = 5_000;

  /** After a member joins, leaves or merges: time for the janitor and merges to settle. */
  public static final long AFTER_CHANGE_MS = 1_500;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalPeers local;
  private final Membership membership;
  private final NodeRouter router;
  private final Predicate<String> liveNode;
  private final NodeFence fence;
  private final int maxPeersPerRoom;
  private final MembershipMetrics metrics;

  public RoomRepair(
      Vertx vertx,
      String nodeId,
      LocalPeers local,
      Membership membership,
      NodeRouter router,
      Predicate<String> liveNode,
      NodeFence fence,
      int maxPeersPerRoom,
      MembershipMetrics metrics) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.local = local;
    this.membership = membership;
    this.router = router;
    this.liveNode = liveNode;
    this.fence = fence;
    this.maxPeersPerRoom = maxPeersPerRoom;
    this.metrics = metrics;
  }

  public void start() {
    vertx.setPeriodic(INTERVAL_MS, t -> runPass());
  }

  /** A pass shortly, after a change of the cluster's members. */
  public void soon() {
    vertx.setTimer(AFTER_CHANGE_MS, t -> runPass());
  }

  /** Compares every room that has local peers with its record. */
  public void runPass() {
    if (fence.fenced()) {
      return;
    }
    for (Map.Entry<String, RoomView> e : Map.copyOf(local.viewsByRoom()).entrySet()) {
      repairRoom(e.getKey(), e.getValue())
          .onFailure(err -> LOG.debug("repair failed node={} error={}", nodeId, err.toString()));
    }
  }

  private Future<Void> repairRoom(String room, RoomView view) {
    return membership
        .members(room)
        .map(
            record -> {
              view.applySnapshot(record, record.version(), liveNode);
              for (String id : view.localPeers()) {
                LocalPeer peer = local.get(id);
                if (peer == null || peer.state() != LocalPeer.State.ACTIVE) {
                  continue; // joining or moving: its own flow tells it what it needs
                }
                RoomMembers.Member listed = record.get(id);
                if (listed == null || !listed.nodeId().equals(nodeId)) {
                  reclaim(peer);
                } else {
                  tellMissing(peer);
                }
              }
              return null;
            });
  }

  /** On the peer's loop: tells it what its view says it does not know yet. */
  private void tellMissing(LocalPeer peer) {
    peer.onLoop(
        () -> {
          int sent = MemberRepair.reconcile(peer, local.view(peer.room()));
          if (sent > 0) {
            metrics.repairsSent(sent);
            LOG.info("repaired node={} peer={} events={}", nodeId, peer.peerId(), sent);
          }
        });
  }

  /**
   * A local peer its room no longer lists here: if this node still owns its record it joins the
   * room again (the others learn of it with peer-joined); if not, it is let go.
   */
  private void reclaim(LocalPeer peer) {
    membership
        .claim(peer.peerId(), nodeId)
        .compose(
            claim -> {
              if (claim == PeerOwnership.Claim.LOST || peer.state() != LocalPeer.State.ACTIVE) {
                return claim == PeerOwnership.Claim.LOST
                    ? fence.release(peer)
                    : Future.<Void>succeededFuture();
              }
              return membership
                  .join(
                      peer.room(),
                      peer.peerId(),
                      new RoomMembers.Member(nodeId, peer.meta()),
                      maxPeersPerRoom)
                  .compose(
                      result -> {
                        if (result.full()) {
                          return fence.release(peer);
                        }
                        local.joined(peer, result.others(), result.version(), nodeId);
                        metrics.reclaimed();
                        LOG.info("reclaimed node={} peer={}", nodeId, peer.peerId());
                        // Also when it was listed on another node: the others' views move it back.
                        Future<Void> told =
                            router.announceJoined(
                                peer.room(),
                                peer.peerId(),
                                peer.meta(),
                                result.others(),
                                result.version());
                        return told.onComplete(x -> tellMissing(peer));
                      });
            })
        .onFailure(
            e ->
                LOG.warn(
                    "reclaim failed node={} peer={} error={}",
                    nodeId,
                    peer.peerId(),
                    e.toString()));
  }
}
