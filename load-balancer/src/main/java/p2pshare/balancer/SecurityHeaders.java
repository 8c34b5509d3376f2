package p2pshare.balancer;

import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The headers on everything the balancer serves (issue 14 finding 3): a strict
 * Content-Security-Policy, nosniff, no framing, no referrer, and no powerful features. The client
 * page's {@code connect-src} names the balancer and the hosts of the nodes it may be sent to.
 */
final class SecurityHeaders {
  /** Nothing the app does needs these; a framed or injected page gets none of them either. */
  static final String PERMISSIONS_POLICY =
      "camera=(), microphone=(), geolocation=(), usb=(), payment=(), display-capture=(),"
          + " interest-cohort=()";

  private final String assetOrigin;

  /**
   * @param assetBaseUrl ASSET_BASE_URL (empty: assets come from this origin)
   */
  SecurityHeaders(String assetBaseUrl) {
    this.assetOrigin = assetBaseUrl.isEmpty() ? "" : " " + origin(assetBaseUrl);
  }

  /** Headers of every answer; {@code connectSources} extend connect-src beyond 'self'. */
  void apply(HttpServerResponse response, Collection<String> connectSources) {
    response
        .putHeader("content-security-policy", policy(connectSources))
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("permissions-policy", PERMISSIONS_POLICY)
        .putHeader("cross-origin-opener-policy", "same-origin");
  }

  String policy(Collection<String> connectSources) {
    StringBuilder connect = new StringBuilder("'self'");
    connectSources.forEach(s -> connect.append(' ').append(s));
    return "default-src 'self'"
        + "; script-src 'self'"
        + assetOrigin
        + "; style-src 'self'"
        + assetOrigin
        + "; img-src 'self' data: blob:"
        + "; font-src 'self'"
        + assetOrigin
        + "; connect-src "
        + connect
        + "; worker-src 'self'"
        + "; manifest-src 'self'"
        + "; frame-ancestors 'none'"
        + "; object-src 'none'"
        + "; base-uri 'none'"
        + "; form-action 'self'";
  }

  /**
   * CSP sources for the nodes' WebSocket URLs: scheme, host and any port (a node restarted on a new
   * port of the same host stays reachable from an open page), and the same host over http(s) for
   * the page's health probe. URLs that are not ws(s) are skipped.
   */
  static Set<String> nodeSources(Collection<String> nodeUrls) {
    Set<String> sources = new LinkedHashSet<>();
    for (String url : nodeUrls) {
      try {
        URI u = URI.create(url);
        String scheme = u.getScheme();
        String host = u.getHost();
        if (host != null && ("ws".equals(scheme) || "wss".equals(scheme))) {
          sources.add(scheme + "://" + host + ":*");
          // the page's reachability probe of a node whose socket failed (GET /healthz, no-cors:
          // web/src/signaling/problems.ts) tells "refused" from "unreachable"
          sources.add(("wss".equals(scheme) ? "https" : "http") + "://" + host + ":*");
        }
      } catch (IllegalArgumentException e) {
        // not a URL: no source
      }
    }
    return sources;
  }

  private static String origin(String url) {
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getRawAuthority();
  }
}
