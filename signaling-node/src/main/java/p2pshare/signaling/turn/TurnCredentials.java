package p2pshare.signaling.turn;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * welcome.iceServers: STUN URLs as they are, TURN URLs with time-limited credentials in coturn's
 * use-auth-secret scheme (username "expiry:peerId", credential base64(HMAC-SHA1(secret,
 * username))).
 */
public final class TurnCredentials {
  private final List<String> stunUrls;
  private final List<String> turnUrls;
  private final String secret;
  private final int ttlSeconds;

  public TurnCredentials(List<String> urls, String secret, int ttlSeconds) {
    this.stunUrls =
        urls.stream().filter(u -> u.startsWith("stun:") || u.startsWith("stuns:")).toList();
    this.turnUrls =
        urls.stream().filter(u -> u.startsWith("turn:") || u.startsWith("turns:")).toList();
    this.secret = secret;
    this.ttlSeconds = ttlSeconds;
  }

  public JsonArray iceServers(String peerId, long nowSeconds) {
    JsonArray servers = new JsonArray();
    if (!stunUrls.isEmpty()) {
      servers.add(new JsonObject().put("urls", new JsonArray(List.copyOf(stunUrls))));
    }
    if (!turnUrls.isEmpty() && !secret.isEmpty()) {
      String username = (nowSeconds + ttlSeconds) + ":" + peerId;
      servers.add(
          new JsonObject()
              .put("urls", new JsonArray(List.copyOf(turnUrls)))
              .put("username", username)
              .put("credential", hmacSha1Base64(secret, username)));
    }
    return servers;
  }

  static String hmacSha1Base64(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
