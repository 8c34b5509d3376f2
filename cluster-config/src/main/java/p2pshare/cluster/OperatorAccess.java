package p2pshare.cluster;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Guards the operators' routes (PROTOCOL.md OPERATOR_TOKEN). With a token, a request needs {@code
 * Authorization: Bearer <token>} — or HTTP Basic with the token as password, which a browser
 * opening /dashboard can send — else 401. Without a token only clients on loopback or private
 * networks pass (403 otherwise), judged by the address {@link ClientIp} resolves.
 */
public final class OperatorAccess implements Handler<RoutingContext> {
  static final String REALM = "p2p-share operators";

  private final byte[] token;
  private final ClientIp clientIp;

  public OperatorAccess(String token, ClientIp clientIp) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.clientIp = clientIp;
  }

  public static OperatorAccess forEnv(EnvConfig env) {
    return new OperatorAccess(
        env.operatorToken(), new ClientIp(AddressRanges.of(env.trustedProxies())));
  }

  /** The header value the balancer sends when it scrapes a node, or null without a token. */
  public static String bearer(String token) {
    return token.isEmpty() ? null : "Bearer " + token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token.length > 0) {
      if (presented(ctx.request().getHeader("Authorization"))) {
        ctx.next();
      } else {
        ctx.response().putHeader("www-authenticate", "Basic realm=\"" + REALM + "\"");
        refuse(ctx, 401, "unauthorized", "this path needs the operator token");
      }
      return;
    }
    String peer =
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    String client = clientIp.resolve(peer, ctx.request().getHeader(ClientIp.FORWARDED_FOR));
    if (AddressRanges.isPrivate(client)) {
      ctx.next();
    } else {
      refuse(
          ctx,
          403,
          "forbidden",
          "operator paths answer only private networks without OPERATOR_TOKEN");
    }
  }

  private boolean presented(String authorization) {
    if (authorization == null) {
      return false;
    }
    byte[] given = null;
    if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).strip()),
                StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        given = colon < 0 ? null : pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return given != null && MessageDigest.isEqual(given, token);
  }

  private static void refuse(RoutingContext ctx, int status, String code, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(new JsonObject().put("error", code).put("message", message).encode());
  }
}
