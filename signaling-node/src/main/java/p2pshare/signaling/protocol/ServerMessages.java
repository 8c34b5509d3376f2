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

  /** {@code data} is the sender's {@code data} value as validated JSON bytes, relayed as is. */
  public static PeerEvent signal(String from, JsonText data) {
    return relay("signal", SIGNAL_HEAD, from, data);
  }

  public static PeerEvent broadcast(String from, JsonText data) {
    return relay("broadcast", BROADCAST_HEAD, from, data);
  }

  public static PeerEvent signal(String from, String dataJson) {
    return signal(from, JsonText.of(dataJson));
  }

  public static PeerEvent broadcast(String from, String dataJson) {
    return broadcast(from, JsonText.of(dataJson));
  }

  private static final byte[] SIGNAL_HEAD = ascii("{\"type\":\"signal\",\"from\":\"");
  private static final byte[] BROADCAST_HEAD = ascii("{\"type\":\"broadcast\",\"from\":\"");
  private static final byte[] DATA = ascii("\",\"data\":");

  /**
   * One byte array: head, sender id, data. Peer ids are the node's own base64url ids, which need no
   * JSON escaping.
   */
  private static PeerEvent relay(String type, byte[] head, String from, JsonText data) {
    int idLength = from.length();
    byte[] out = new byte[head.length + idLength + DATA.length + data.length()];
    System.arraycopy(head, 0, out, 0, head.length);
    int at = head.length;
    for (int i = 0; i < idLength; i++) {
      out[at++] = (byte) from.charAt(i);
    }
    System.arraycopy(DATA, 0, out, at, DATA.length);
    at += DATA.length;
    System.arraycopy(data.bytes(), data.offset(), out, at, data.length());
    return new PeerEvent(type, out);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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
