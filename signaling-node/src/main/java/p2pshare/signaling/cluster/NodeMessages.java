package p2pshare.signaling.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;

/** The node-to-node messages on the event bus (one clustered consumer per node). */
public final class NodeMessages {
  public static final String KIND = "k";
  public static final String DELIVER = "deliver";
  public static final String JOINED = "joined";
  public static final String LEFT = "left";
  public static final String MOVED = "moved";
  public static final String HANDOVER = "handover";

  private NodeMessages() {}

  /** Deliver {@code message} to each of {@code to}, local peers of the receiving node. */
  public static JsonObject deliver(Collection<String> to, JsonObject message) {
    return new JsonObject()
        .put(KIND, DELIVER)
        .put("to", new JsonArray(java.util.List.copyOf(to)))
        .put("msg", message);
  }

  /** A peer joined {@code room} on {@code nodeId}: update the view, tell {@code to}. */
  public static JsonObject joined(
      String room, String peerId, String meta, String nodeId, Collection<String> to) {
    return new JsonObject()
        .put(KIND, JOINED)
        .put("room", room)
        .put("peerId", peerId)
        .put("meta", meta)
        .put("node", nodeId)
        .put("to", new JsonArray(java.util.List.copyOf(to)));
  }

  /** A peer left {@code room}: update the view, tell {@code to}. */
  public static JsonObject left(String room, String peerId, Collection<String> to) {
    return new JsonObject()
        .put(KIND, LEFT)
        .put("room", room)
        .put("peerId", peerId)
        .put("to", new JsonArray(java.util.List.copyOf(to)));
  }

  /** A peer of {@code room} now lives on {@code nodeId}. */
  public static JsonObject moved(String room, String peerId, String nodeId) {
    return new JsonObject()
        .put(KIND, MOVED)
        .put("room", room)
        .put("peerId", peerId)
        .put("node", nodeId);
  }

  /** Asks the peer's old node for its seq counter and replay ring. */
  public static JsonObject handover(String peerId, Long lastSeq, String newNodeId) {
    return new JsonObject()
        .put(KIND, HANDOVER)
        .put("peerId", peerId)
        .put("lastSeq", lastSeq)
        .put("node", newNodeId);
  }
}
