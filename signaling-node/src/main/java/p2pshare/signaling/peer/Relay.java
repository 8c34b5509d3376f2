package p2pshare.signaling.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.protocol.ErrorCode;
import p2pshare.signaling.protocol.JsonText;
import p2pshare.signaling.protocol.PeerEvent;
import p2pshare.signaling.protocol.ProtocolException;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * Relays signals and broadcasts of a joined peer, looking recipients up in this node's room view.
 *
 * <p>endedSender: frames still read from a socket whose peer ended here (it was fenced, or moved to
 * another socket) are not relayed, nor answered unknown-peer: the socket was told to reconnect (or
 * closed 4000) and is closing, and the client re-sends from its new session.
 */
final class Relay {
  private final LocalPeers local;
  private final NodeRouter router;

  Relay(LocalPeers local, NodeRouter router) {
    this.local = local;
    this.router = router;
  }

  /** Relays a signal to one peer of the sender's room. */
  void signal(LocalPeer from, String to, JsonText data) throws ProtocolException {
    if (from.state() == LocalPeer.State.GONE) {
      return; // see endedSender
    }
    RoomView view = local.view(from.room());
    String node = view == null || to.equals(from.peerId()) ? null : view.nodeOf(to);
    if (node == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_PEER, "no such peer in this room");
    }
    router.deliver(node, List.of(to), ServerMessages.signal(from.peerId(), data));
  }

  /**
   * Relays a broadcast to every other peer of the sender's room, one event-bus message per node.
   */
  void broadcast(LocalPeer from, JsonText data) {
    if (from.state() == LocalPeer.State.GONE) {
      return; // see endedSender
    }
    RoomView view = local.view(from.room());
    if (view == null) {
      return;
    }
    Map<String, List<String>> byNode = new HashMap<>();
    view.members()
        .forEach(
            (id, node) -> {
              if (!id.equals(from.peerId())) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(id);
              }
            });
    PeerEvent message = ServerMessages.broadcast(from.peerId(), data);
    byNode.forEach((node, ids) -> router.deliver(node, ids, message));
  }
}
