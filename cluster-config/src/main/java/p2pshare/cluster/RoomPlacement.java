package p2pshare.cluster;

import io.vertx.core.json.JsonObject;

/** The balancer's answer for a room: its node and the epoch that fences stale answers. */
public record RoomPlacement(String nodeId, long epoch) {
  public String toJson() {
    return new JsonObject().put("nodeId", nodeId).put("epoch", epoch).encode();
  }

  public static RoomPlacement fromJson(String json) {
    JsonObject j = new JsonObject(json);
    return new RoomPlacement(j.getString("nodeId"), j.getLong("epoch"));
  }
}
