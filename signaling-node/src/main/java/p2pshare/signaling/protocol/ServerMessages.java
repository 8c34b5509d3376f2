package p2pshare.signaling.protocol;

import io.vertx.core.json.Json;
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

  /** {@code metaJson} is the peer's validated meta object as JSON text, or null. */
  public static PeerEvent peerJoined(String id, String metaJson) {
    return new PeerEvent(
        "peer-joined",
        "{\"type\":\"peer-joined\",\"peer\":{\"id\":"
            + quote(id)
            + ",\"meta\":"
            + (metaJson == null ? "null" : metaJson)
            + "}");
  }

  public static PeerEvent peerLeft(String peerId) {
    return new PeerEvent("peer-left", "{\"type\":\"peer-left\",\"peerId\":" + quote(peerId));
  }

  /** {@code dataJson} is the sender's {@code data} value as validated JSON text, relayed as is. */
  public static PeerEvent signal(String from, String dataJson) {
    return relay("signal", from, dataJson);
  }

  public static PeerEvent broadcast(String from, String dataJson) {
    return relay("broadcast", from, dataJson);
  }

  private static PeerEvent relay(String type, String from, String dataJson) {
    String head =
        new StringBuilder(dataJson.length() + 64)
            .append("{\"type\":\"")
            .append(type)
            .append("\",\"from\":")
            .append(quote(from))
            .append(",\"data\":")
            .append(dataJson)
            .toString();
    return new PeerEvent(type, head);
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

  private static String quote(String s) {
    return Json.encode(s);
  }
}
