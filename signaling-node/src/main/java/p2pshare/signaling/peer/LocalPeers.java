package p2pshare.signaling.peer;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.protocol.PeerEvent;

/**
 * The peers this node owns and its views of their rooms. Shared by every verticle instance of the
 * node; each {@link LocalPeer} is only touched on its own context.
 */
public final class LocalPeers {
  private final Map<String, LocalPeer> peers = new ConcurrentHashMap<>();
  private final Map<String, RoomView> rooms = new ConcurrentHashMap<>();
  private final Map<String, String> movedTo = new ConcurrentHashMap<>();
  private final SignalingMetrics metrics;

  public LocalPeers(SignalingMetrics metrics) {
    this.metrics = metrics;
  }

  public LocalPeer get(String peerId) {
    return peers.get(peerId);
  }

  /** Makes a peer reachable for deliveries (buffered while it is PENDING). */
  public void register(LocalPeer peer) {
    movedTo.remove(peer.peerId());
    peers.put(peer.peerId(), peer);
  }

  /** Adds a registered peer to its room's view, together with the members it learned of. */
  public void addToView(LocalPeer peer, Map<String, String> others, String nodeId) {
    rooms.compute(
        peer.room(),
        (room, view) -> {
          RoomView v = view == null ? new RoomView() : view;
          others.forEach(v::put);
          v.put(peer.peerId(), nodeId);
          v.localPeers().add(peer.peerId());
          return v;
        });
  }

  /**
   * Forgets a peer that is no longer this node's. {@code stillMemberOn} is its new node when it
   * moved (it stays in the view), or null when it left the room.
   */
  public void unregister(LocalPeer peer, String stillMemberOn) {
    peers.remove(peer.peerId(), peer);
    if (stillMemberOn != null) {
      movedTo.put(peer.peerId(), stillMemberOn);
    }
    rooms.computeIfPresent(
        peer.room(),
        (room, view) -> {
          view.localPeers().remove(peer.peerId());
          if (stillMemberOn == null) {
            view.remove(peer.peerId());
          } else {
            view.put(peer.peerId(), stillMemberOn);
          }
          return view.localPeers().isEmpty() ? null : view;
        });
  }

  public void forgetMove(String peerId) {
    movedTo.remove(peerId);
  }

  public String movedTo(String peerId) {
    return movedTo.get(peerId);
  }

  public RoomView view(String room) {
    return rooms.get(room);
  }

  public Collection<RoomView> views() {
    return rooms.values();
  }

  public Map<String, RoomView> viewsByRoom() {
    return rooms;
  }

  public Collection<LocalPeer> all() {
    return peers.values();
  }

  public int peerCount() {
    return peers.size();
  }

  public int roomCount() {
    return rooms.size();
  }

  /**
   * Hands a message to a local peer on its own context: a relay right away when the caller already
   * runs there (two sockets of one event loop), anything else as a task on that loop (membership
   * events keep their place behind the join being processed). Returns false if the peer is not
   * here, so the caller can forward it to the peer's new node.
   */
  public boolean deliver(String peerId, PeerEvent message, String origin, boolean forwarded) {
    LocalPeer peer = peers.get(peerId);
    if (peer == null) {
      return false;
    }
    metrics.messageOut(message.type());
    if (message.isRelay()) {
      peer.onLoop(() -> peer.deliver(message, origin, forwarded));
    } else {
      peer.context().runOnContext(v -> peer.deliver(message, origin, forwarded));
    }
    return true;
  }

  /** Passes a handover fence to a local peer; false if the peer is not here. */
  public boolean fence(String peerId, String origin) {
    LocalPeer peer = peers.get(peerId);
    if (peer == null) {
      return false;
    }
    peer.context().runOnContext(v -> peer.fence(origin));
    return true;
  }
}
