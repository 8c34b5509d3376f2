package p2pshare.signaling.peer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.protocol.ServerMessages;
import p2pshare.signaling.turn.TurnCredentials;

/**
 * Writes a welcome and what follows it in one step on the peer's loop: the replay of held messages
 * (on a resume), the activation that delivers what was buffered meanwhile, and the repair of
 * anything the peer's view knows that neither carried. On a resume the welcome lists the room as it
 * was where the replay starts, so welcome and replay together tell each presence once.
 */
final class WelcomeWriter {
  private final String nodeId;
  private final TurnCredentials turn;
  private final LocalPeers local;

  WelcomeWriter(String nodeId, TurnCredentials turn, LocalPeers local) {
    this.nodeId = nodeId;
    this.turn = turn;
    this.local = local;
  }

  /**
   * @param others the room's other members (fresh join: just before it; resume: now)
   * @param replay held messages after the client's lastSeq, in order, as sent before
   * @param activate makes the peer ACTIVE (it then delivers what it buffered)
   */
  void write(
      LocalPeer peer,
      PeerConnection connection,
      Map<String, RoomMembers.Member> others,
      String token,
      boolean recovered,
      List<String> replay,
      Runnable activate) {
    RoomView view = local.view(peer.room());
    List<JsonObject> events = new ArrayList<>(replay.size());
    replay.forEach(text -> events.add(new JsonObject(text)));
    Map<String, String> listed = new LinkedHashMap<>();
    others.forEach((id, m) -> listed.put(id, m.meta()));
    // Undo, newest first, what the replay is about to tell.
    for (int i = events.size() - 1; i >= 0; i--) {
      JsonObject e = events.get(i);
      String subject = subject(e);
      if (ToldMembers.PEER_JOINED.equals(e.getString("type"))) {
        listed.remove(subject);
      } else if (ToldMembers.PEER_LEFT.equals(e.getString("type"))
          && !subject.equals(peer.peerId())) {
        listed.putIfAbsent(subject, view == null ? null : view.metaOf(subject));
      }
    }
    JsonArray peers = new JsonArray();
    listed.forEach((id, meta) -> peers.add(ServerMessages.peer(id, meta)));
    peer.attach(connection);
    peer.told().reset(listed.keySet());
    connection.send(
        ServerMessages.welcome(
                peer.peerId(),
                peer.room(),
                nodeId,
                peers,
                token,
                recovered,
                turn.iceServers(peer.peerId(), System.currentTimeMillis() / 1000))
            .encode());
    for (int i = 0; i < replay.size(); i++) {
      connection.send(replay.get(i));
      peer.told().replayed(events.get(i).getString("type"), subject(events.get(i)));
    }
    activate.run();
    MemberRepair.reconcile(peer, view);
  }

  private static String subject(JsonObject event) {
    return switch (event.getString("type", "")) {
      case ToldMembers.PEER_JOINED -> event.getJsonObject("peer").getString("id");
      case ToldMembers.PEER_LEFT -> event.getString("peerId");
      default -> "";
    };
  }
}
