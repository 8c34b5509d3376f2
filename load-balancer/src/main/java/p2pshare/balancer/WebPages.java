package p2pshare.balancer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The HTML pages the balancer serves: the browser client's index.html (from the web module's jar,
 * under webroot/) and the dashboard page, read once from the classpath at start. Without a built
 * client a short page says so instead of failing.
 */
public record WebPages(String clientIndex, boolean clientBuilt, String dashboardIndex) {
  public static final String CLIENT_ROOT = "webroot";
  public static final String DASHBOARD_ROOT = "dashboard";
  public static final String WEBJARS_ROOT = "META-INF/resources/webjars";

  static final String FALLBACK_CLIENT =
      """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>p2p-share</title>
      <meta name="viewport" content="width=device-width, initial-scale=1"></head>
      <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
      <h1>p2p-share</h1>
      <p>The web client is not built into this balancer. Build it with
      <code>mvn -DskipTests package</code> (without <code>-Dweb.skip</code>).</p>
      <p>Operators: <a href="/dashboard">dashboard</a>.</p>
      </body></html>
      """;

  /** Reads the pages from the classpath; blocking, call once at start. */
  public static WebPages load() {
    return load("");
  }

  /**
   * As {@link #load()}; with an {@code assetBaseUrl} (ASSET_BASE_URL, e.g. a CDN) the client's
   * content-hashed /assets/ are referenced from there instead of this origin.
   */
  public static WebPages load(String assetBaseUrl) {
    String client = withAssetBase(read(CLIENT_ROOT + "/index.html"), assetBaseUrl);
    String dashboard = read(DASHBOARD_ROOT + "/index.html");
    if (dashboard == null) {
      throw new IllegalStateException("dashboard/index.html missing from the classpath");
    }
    return new WebPages(client == null ? FALLBACK_CLIENT : client, client != null, dashboard);
  }

  static String withAssetBase(String html, String assetBaseUrl) {
    if (html == null || assetBaseUrl.isEmpty()) {
      return html;
    }
    String base =
        assetBaseUrl.endsWith("/")
            ? assetBaseUrl.substring(0, assetBaseUrl.length() - 1)
            : assetBaseUrl;
    return html.replace("src=\"/assets/", "src=\"" + base + "/assets/")
        .replace("href=\"/assets/", "href=\"" + base + "/assets/");
  }

  private static String read(String resource) {
    ClassLoader loader = WebPages.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
