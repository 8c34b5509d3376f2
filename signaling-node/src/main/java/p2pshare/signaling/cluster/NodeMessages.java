package p2pshare.signaling.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;

/** The node-to-node messages on the event bus (one clustered consumer per node). */
public final class NodeMessages {
  public static final String KIND = "k";
  public static final String JOINED = "joined";
  public static final String LEFT = "left";
  public static final String MOVED = "moved";
  public static final String HANDOVER = "handover";
  public static final String FENCE = "fence";

  private NodeMessages() {}

  /** The sending node's id, on every node message. */
  public static final String FROM = "from";

  /** The room version a membership message carries (see RoomMembers.Members#version). */
  public static final String VERSION = "v";

  /**
   * A peer joined {@code room} on {@code nodeId} at room {@code version}: update the view, tell
   * {@code to}.
   */
  public static JsonObject joined(
      String room, String peerId, String meta, String nodeId, long version, Collection<String> to) {
    return new JsonObject()
        .put(KIND, JOINED)
        .put("room", room)
        .put("peerId", peerId)
        .put("meta", meta)
        .put("node", nodeId)
        .put(VERSION, version)
        .put("to", new JsonArray(List.copyOf(to)));
  }

  /** A peer left {@code room} at room {@code version}: update the view, tell {@code to}. */
  public static JsonObject left(String room, String peerId, long version, Collection<String> to) {
    return new JsonObject()
        .put(KIND, LEFT)
        .put("room", room)
        .put("peerId", peerId)
        .put(VERSION, version)
        .put("to", new JsonArray(List.copyOf(to)));
  }

  /**
   * A peer of {@code room} moved from {@code oldNode} to {@code nodeId} at room {@code version}.
   */
  public static JsonObject moved(
      String room, String peerId, String meta, String nodeId, String oldNode, long version) {
    return new JsonObject()
        .put(KIND, MOVED)
        .put("room", room)
        .put("peerId", peerId)
        .put("meta", meta)
        .put("node", nodeId)
        .put("oldNode", oldNode)
        .put(VERSION, version);
  }

  /** Asks the peer's old node for its seq counter and replay ring. */
  public static JsonObject handover(String peerId, Long lastSeq, String newNodeId) {
    return new JsonObject()
        .put(KIND, HANDOVER)
        .put("peerId", peerId)
        .put("lastSeq", lastSeq)
        .put("node", newNodeId);
  }

  /** Sent by {@code origin} through a moved peer's old node, after everything it sent there. */
  public static JsonObject fence(String peerId, String origin) {
    return new JsonObject().put(KIND, FENCE).put("peerId", peerId).put("origin", origin);
  }
}
