package p2pshare.signaling.peer;

import java.util.ArrayList;
import java.util.List;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * Brings what one local peer has been told in line with its room view: a peer-joined for every
 * member it does not know yet, a peer-left for every one it knows that is gone. Repeats are
 * filtered by {@link ToldMembers}, so this may run as often as wanted.
 */
public final class MemberRepair {
  private MemberRepair() {}

  /** Runs on the peer's event loop; returns how many events it sent. */
  public static int reconcile(LocalPeer peer, RoomView view) {
    if (view == null || peer.state() != LocalPeer.State.ACTIVE) {
      return 0;
    }
    ToldMembers told = peer.told();
    List<String> joined = new ArrayList<>();
    view.members()
        .keySet()
        .forEach(
            id -> {
              if (!id.equals(peer.peerId()) && !told.knows(id)) {
                joined.add(id);
              }
            });
    List<String> left = new ArrayList<>();
    for (String id : told.ids()) {
      if (!view.isMember(id)) {
        left.add(id);
      }
    }
    left.forEach(id -> peer.deliver(ServerMessages.peerLeft(id)));
    joined.forEach(id -> peer.deliver(ServerMessages.peerJoined(id, view.metaOf(id))));
    return joined.size() + left.size();
  }
}
