package p2pshare.balancer;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The balancer's HTTP error codes (PROTOCOL.md): the wire name and the HTTP status of each. */
public enum ApiError {
  BAD_ROOM_ID("bad-room-id", 400, "room id must be 16-64 characters of [A-Za-z0-9_-]"),
  BAD_ANALYTICS("bad-analytics", 400, "the analytics report does not follow docs/PROTOCOL.md"),
  NOT_FOUND("not-found", 404, "no such path"),
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "method not allowed on this path"),
  RATE_LIMITED("rate-limited", 429, "too many requests, slow down"),
  INTERNAL("internal", 500, "internal error"),
  NO_LIVE_NODE("no-live-node", 503, "no signaling node is up, try again shortly");

  public final String code;
  public final int status;
  public final String message;

  ApiError(String code, int status, String message) {
    this.code = code;
    this.status = status;
    this.message = message;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", message);
  }

  /** Ends the request with this error as JSON, unless an answer was already sent. */
  public void send(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(toJson().encode());
  }
}
