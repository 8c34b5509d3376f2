package p2pshare.cluster;

import io.vertx.core.json.JsonObject;

/**
 * What a node publishes about itself every second; the balancer places rooms from it. {@code
 * adminUrl} is the node's own HTTP base (http://CLUSTER_HOST:PORT) for the balancer's /metrics.
 */
public record NodeLoad(
    String id,
    String url,
    String state,
    long connections,
    long rooms,
    long peers,
    double msgsPerSec,
    double eventLoopLagMs,
    long heapUsedBytes,
    long heapMaxBytes,
    double cpu,
    long lastSeen,
    String adminUrl) {

  public static final String UP = "up";
  public static final String DRAINING = "draining";

  /** How long a record outlives its last publication: past it the node counts as gone. */
  public static final int TTL_SECONDS = 4;

  public boolean draining() {
    return DRAINING.equals(state);
  }

  /** The shape of one entry of GET /api/nodes (PROTOCOL.md): no internal addresses. */
  public JsonObject toPublicJson() {
    JsonObject j = toJson();
    j.remove("adminUrl");
    return j;
  }

  /** Full record as stored in the cluster, including the node's internal HTTP address. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("url", url)
        .put("state", state)
        .put("connections", connections)
        .put("rooms", rooms)
        .put("peers", peers)
        .put("msgsPerSec", msgsPerSec)
        .put("eventLoopLagMs", eventLoopLagMs)
        .put("heapUsedBytes", heapUsedBytes)
        .put("heapMaxBytes", heapMaxBytes)
        .put("cpu", cpu)
        .put("lastSeen", lastSeen)
        .put("adminUrl", adminUrl);
  }

  public static NodeLoad fromJson(JsonObject j) {
    return new NodeLoad(
        j.getString("id"),
        j.getString("url"),
        j.getString("state", UP),
        j.getLong("connections", 0L),
        j.getLong("rooms", 0L),
        j.getLong("peers", 0L),
        j.getDouble("msgsPerSec", 0.0),
        j.getDouble("eventLoopLagMs", 0.0),
        j.getLong("heapUsedBytes", 0L),
        j.getLong("heapMaxBytes", 0L),
        j.getDouble("cpu", 0.0),
        j.getLong("lastSeen", 0L),
        j.getString("adminUrl"));
  }
}
