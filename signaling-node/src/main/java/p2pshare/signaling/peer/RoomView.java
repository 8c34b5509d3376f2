package p2pshare.signaling.peer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's cached membership of one room that has local peers: peerId → nodeId of every member.
 * Kept right by the room events nodes send each other, acknowledged before a welcome.
 */
public final class RoomView {
  private final Map<String, String> members = new ConcurrentHashMap<>();
  private final Set<String> localPeers = ConcurrentHashMap.newKeySet();

  public void put(String peerId, String nodeId) {
    members.put(peerId, nodeId);
  }

  public void remove(String peerId) {
    members.remove(peerId);
  }

  public String nodeOf(String peerId) {
    return members.get(peerId);
  }

  public Map<String, String> members() {
    return members;
  }

  public Set<String> localPeers() {
    return localPeers;
  }
}
