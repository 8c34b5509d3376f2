package p2pshare.signaling.peer;

import io.vertx.core.Context;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.cluster.LocalInbox;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.protocol.PeerEvent;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * The peers this node owns and its views of their rooms. Shared by every verticle instance of the
 * node; each {@link LocalPeer} is only touched on its own context.
 */
public final class LocalPeers implements LocalInbox {
  private final Map<String, LocalPeer> peers = new ConcurrentHashMap<>();
  private final Map<String, RoomView> rooms = new ConcurrentHashMap<>();
  private final Map<String, String> movedTo = new ConcurrentHashMap<>();
  private final Map<String, Context> movedFrom = new ConcurrentHashMap<>();
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
    movedFrom.remove(peer.peerId());
    peers.put(peer.peerId(), peer);
  }

  /**
   * Lists a registered peer among its room's local peers, before its join runs in Hazelcast: from
   * then on room events aimed at it find both the peer (which buffers them) and the view.
   */
  public void addLocal(LocalPeer peer) {
    rooms.compute(
        peer.room(),
        (room, view) -> {
          RoomView v = view == null ? new RoomView() : view;
          v.localPeers().add(peer.peerId());
          return v;
        });
  }

  /**
   * Applies what a join of {@code peer} saw: the members before it and the peer itself, as of room
   * {@code version} (older view entries give way, newer ones stay).
   */
  public void joined(
      LocalPeer peer, Map<String, RoomMembers.Member> others, long version, String nodeId) {
    RoomView view = rooms.get(peer.room());
    if (view == null) {
      return;
    }
    Map<String, RoomMembers.Member> record = new HashMap<>(others);
    record.put(peer.peerId(), new RoomMembers.Member(nodeId, peer.meta(), version));
    view.applySnapshot(record, version, node -> true);
  }

  /**
   * Forgets a peer that is no longer this node's. {@code stillMemberOn} is its new node when it
   * moved (what is still sent here is forwarded there), or null when it left the room (the view
   * learns the removal, with its version, from the leave).
   */
  public void unregister(LocalPeer peer, String stillMemberOn) {
    peers.remove(peer.peerId(), peer);
    if (stillMemberOn != null) {
      movedTo.put(peer.peerId(), stillMemberOn);
      movedFrom.put(peer.peerId(), peer.context());
    }
    rooms.computeIfPresent(
        peer.room(),
        (room, view) -> {
          view.localPeers().remove(peer.peerId());
          return view.localPeers().isEmpty() ? null : view;
        });
  }

  public void forgetMove(String peerId) {
    movedTo.remove(peerId);
    movedFrom.remove(peerId);
  }

  @Override
  public String movedTo(String peerId) {
    return movedTo.get(peerId);
  }

  public RoomView view(String room) {
    return rooms.get(room);
  }

  @Override
  public void applyToView(
      String room, String peerId, String nodeId, String meta, boolean present, long version) {
    RoomView view = rooms.get(room);
    if (view != null) {
      view.apply(peerId, nodeId, meta, present, version);
    }
  }

  @Override
  public int nodeGone(String deadNode) {
    int told = 0;
    for (RoomView view : rooms.values()) {
      for (String peerId : view.nodeGone(deadNode)) {
        PeerEvent event = ServerMessages.peerLeft(peerId);
        for (String localPeer : view.localPeers()) {
          deliverLocal(localPeer, event);
          told++;
        }
      }
    }
    return told;
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
   * events keep their place behind the join being processed). A peer that moved away meanwhile, or
   * had moved before, gets it through {@code forwarder} from that same loop. Returns false if the
   * peer is neither here nor moved from here.
   */
  @Override
  public boolean deliver(
      String peerId, PeerEvent message, String origin, boolean forwarded, Forwarder forwarder) {
    LocalPeer peer = peers.get(peerId);
    if (peer == null) {
      Context old = movedFrom.get(peerId);
      if (old == null) {
        return false;
      }
      old.runOnContext(v -> forwarder.message(peerId, message, origin));
      return true;
    }
    metrics.messageOut(message.type());
    Runnable task =
        () -> {
          if (peer.state() == LocalPeer.State.GONE && movedTo.containsKey(peerId)) {
            forwarder.message(peerId, message, origin);
          } else {
            peer.deliver(message, origin, forwarded);
          }
        };
    if (message.isRelay()) {
      peer.onLoop(task);
    } else {
      peer.context().runOnContext(v -> task.run());
    }
    return true;
  }

  /** Delivers to a peer of this node only (its new node, if it moved, tells it itself). */
  public boolean deliverLocal(String peerId, PeerEvent message) {
    return deliver(peerId, message, null, false, NOT_FORWARDED);
  }

  private static final Forwarder NOT_FORWARDED =
      new Forwarder() {
        @Override
        public void message(String peerId, PeerEvent message, String origin) {}

        @Override
        public void fence(String peerId, String origin) {}
      };

  /** Passes a handover fence to a local peer, or on after it; false if neither applies. */
  @Override
  public boolean fence(String peerId, String origin, Forwarder forwarder) {
    LocalPeer peer = peers.get(peerId);
    if (peer == null) {
      Context old = movedFrom.get(peerId);
      if (old == null) {
        return false;
      }
      old.runOnContext(v -> forwarder.fence(peerId, origin));
      return true;
    }
    peer.context()
        .runOnContext(
            v -> {
              if (peer.state() == LocalPeer.State.GONE && movedTo.containsKey(peerId)) {
                forwarder.fence(peerId, origin);
              } else {
                peer.fence(origin);
              }
            });
    return true;
  }
}
