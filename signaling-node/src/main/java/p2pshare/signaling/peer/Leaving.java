package p2pshare.signaling.peer;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a peer stops being this node's: its socket drops (it stays for the resume window), it leaves
 * for good, or its join did not complete. Only the owner removes what it owns in Hazelcast.
 */
final class Leaving {
  private static final Logger LOG = LoggerFactory.getLogger(Leaving.class);

  private final RoomDeps deps;

  Leaving(RoomDeps deps) {
    this.deps = deps;
  }

  /** The socket dropped: the peer stays in the room for the resume window. */
  void dropped(LocalPeer peer, PeerConnection connection) {
    // At once when on the peer's thread: a relay delivered inline right after the close must
    // count as missed (after the drop point), not as written to the dead socket.
    peer.onLoop(
        () -> {
          if (peer.state() != LocalPeer.State.ACTIVE) {
            return;
          }
          long timer = deps.vertx().setTimer(deps.env().resumeWindowS() * 1000L, t -> expire(peer));
          peer.detach(connection, timer);
        });
  }

  private void expire(LocalPeer peer) {
    if (peer.state() == LocalPeer.State.ACTIVE && !peer.connected()) {
      leave(peer);
    }
  }

  /** The peer leaves for good: out of the room, the others told, its token revoked. */
  Future<Void> leave(LocalPeer peer) {
    if (peer.state() == LocalPeer.State.GONE) {
      return Future.succeededFuture();
    }
    peer.end((short) 1000, "left");
    deps.local().unregister(peer, null);
    return leaveRoom(peer)
        .compose(
            owned ->
                Future.join(
                    // Only the owner removes the record: a peer that moved on keeps its own.
                    owned
                        ? deps.membership().removePeerIfOwner(peer.peerId(), deps.nodeId())
                        : Future.succeededFuture(),
                    deps.membership().revokeToken(peer.tokenHash())))
        .onFailure(
            e ->
                LOG.warn(
                    "leave failed node={} peer={} error={}",
                    deps.nodeId(),
                    peer.peerId(),
                    e.toString()))
        .mapEmpty();
  }

  /**
   * A join that did not complete: the peer is no longer this node's, nor (if listed) the room's.
   */
  Future<Void> abandon(LocalPeer peer, boolean wasListed) {
    peer.end((short) 1011, "join failed");
    deps.local().unregister(peer, null);
    Future<Void> out =
        Future.join(
                deps.membership().removePeerIfOwner(peer.peerId(), deps.nodeId()),
                deps.membership().revokeToken(peer.tokenHash()))
            .mapEmpty();
    return wasListed ? leaveRoom(peer).compose(v -> out) : out;
  }

  /** A flow failed while its peer was still pending: the join is abandoned. */
  void abandonIfPending(LocalPeer peer) {
    if (peer.state() == LocalPeer.State.PENDING) {
      abandon(peer, true);
    }
  }

  /**
   * Takes the peer out of its room if this node still owns it there, and tells the others; the
   * result says whether it did.
   */
  private Future<Boolean> leaveRoom(LocalPeer peer) {
    return deps.membership()
        .leave(peer.room(), peer.peerId(), deps.nodeId())
        .map(
            result -> {
              if (result == null) {
                return false;
              }
              deps.router()
                  .announceLeft(peer.room(), peer.peerId(), result.remaining(), result.version());
              return true;
            });
  }
}
