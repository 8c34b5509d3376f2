package p2pshare.signaling.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Builds every message a node sends (PROTOCOL.md "node → client"). */
public final class ServerMessages {
  public static final int VERSION = 1;

  private ServerMessages() {}

  public static JsonObject welcome(
      String peerId,
      String room,
      String nodeId,
      JsonArray peers,
      String resumeToken,
      boolean recovered,
      JsonArray iceServers) {
    return new JsonObject()
        .put("type", "welcome")
        .put("v", VERSION)
        .put("peerId", peerId)
        .put("room", room)
        .put("node", nodeId)
        .put("peers", peers)
        .put("resume", resumeToken)
        .put("recovered", recovered)
        .put("iceServers", iceServers);
  }

  public static JsonObject peer(String id, String metaJson) {
    return new JsonObject()
        .put("id", id)
        .put("meta", metaJson == null ? null : new JsonObject(metaJson));
  }

  public static JsonObject peerJoined(String id, String metaJson) {
    return new JsonObject().put("type", "peer-joined").put("peer", peer(id, metaJson));
  }

  public static JsonObject peerLeft(String peerId) {
    return new JsonObject().put("type", "peer-left").put("peerId", peerId);
  }

  public static JsonObject signal(String from, Object data) {
    return new JsonObject().put("type", "signal").put("from", from).put("data", data);
  }

  public static JsonObject broadcast(String from, Object data) {
    return new JsonObject().put("type", "broadcast").put("from", from).put("data", data);
  }

  public static JsonObject pong(Object t) {
    return new JsonObject().put("type", "pong").put("t", t);
  }

  public static JsonObject reconnect(String reason) {
    return new JsonObject().put("type", "reconnect").put("reason", reason);
  }

  public static JsonObject error(ErrorCode code, String message, String ref) {
    JsonObject j =
        new JsonObject().put("type", "error").put("code", code.wireName()).put("message", message);
    if (ref != null) {
      j.put("ref", ref);
    }
    return j;
  }
}
