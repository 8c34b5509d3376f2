package p2pshare.signaling.cluster;

import p2pshare.signaling.protocol.PeerEvent;

/**
 * What node-level routing needs from this node's own peers and room views. The cluster package owns
 * this port and the peer package implements it, so dependencies run one way: peer → cluster.
 */
public interface LocalInbox {
  /**
   * Hands a message to a local peer on its own context, or through {@code forwarder} to the node it
   * moved to. Returns false if the peer is neither here nor moved from here.
   */
  boolean deliver(
      String peerId, PeerEvent message, String origin, boolean forwarded, Forwarder forwarder);

  /** Passes a handover fence to a local peer, or on after it; false if neither applies. */
  boolean fence(String peerId, String origin, Forwarder forwarder);

  /** The node a peer moved to from here, or null. */
  String movedTo(String peerId);

  /**
   * Applies one membership change to this node's view of {@code room}, if it holds one: {@code
   * peerId} is (or is no longer, when {@code present} is false) a member on {@code nodeId} as of
   * {@code version}.
   */
  void applyToView(
      String room, String peerId, String nodeId, String meta, boolean present, long version);

  /**
   * A cluster member died: every local peer sharing a room with its peers is told peer-left for
   * each of them. Returns how many peer-left events went out.
   */
  int nodeGone(String deadNode);

  /**
   * Where a peer that is not (or no longer) here goes: its new node, reached from the loop its old
   * peer ran on, so what was queued for it before it moved and what arrives after leave in the
   * order they came.
   */
  interface Forwarder {
    void message(String peerId, PeerEvent message, String origin);

    void fence(String peerId, String origin);
  }
}
