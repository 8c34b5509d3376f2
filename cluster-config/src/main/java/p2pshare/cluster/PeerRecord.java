package p2pshare.cluster;

import io.vertx.core.json.JsonObject;

/**
 * Where a peer lives, stored as JSON text in {@link ClusterNames#PEERS_MAP}. {@code orphanUntil} is
 * set when its node died: the peer may still resume (recovered:false) until then.
 */
public record PeerRecord(
    String room, String nodeId, String meta, String tokenHash, long epoch, long orphanUntil) {
  public String toJson() {
    return new JsonObject()
        .put("room", room)
        .put("nodeId", nodeId)
        .put("meta", meta)
        .put("tokenHash", tokenHash)
        .put("epoch", epoch)
        .put("orphanUntil", orphanUntil)
        .encode();
  }

  public static PeerRecord fromJson(String json) {
    JsonObject j = new JsonObject(json);
    return new PeerRecord(
        j.getString("room"),
        j.getString("nodeId"),
        j.getString("meta"),
        j.getString("tokenHash"),
        j.getLong("epoch", 0L),
        j.getLong("orphanUntil", 0L));
  }

  public boolean orphaned() {
    return orphanUntil > 0;
  }

  public PeerRecord movedTo(String newNodeId, String newTokenHash) {
    return new PeerRecord(room, newNodeId, meta, newTokenHash, epoch + 1, 0L);
  }

  public PeerRecord withToken(String newTokenHash) {
    return new PeerRecord(room, nodeId, meta, newTokenHash, epoch, orphanUntil);
  }

  public PeerRecord orphanedUntil(long until) {
    return new PeerRecord(room, nodeId, meta, tokenHash, epoch, until);
  }
}
