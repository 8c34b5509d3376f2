package p2pshare.balancer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    String client =
        withAssetBase(
            read(CLIENT_ROOT + "/index.html"), assetBaseUrl, name -> readBytes(CLIENT_ROOT + name));
    String dashboard = read(DASHBOARD_ROOT + "/index.html");
    if (dashboard == null) {
      throw new IllegalStateException("dashboard/index.html missing from the classpath");
    }
    return new WebPages(client == null ? FALLBACK_CLIENT : client, client != null, dashboard);
  }

  /**
   * Points the page's {@code <script src="/assets/…">} and {@code <link href="/assets/…">} at
   * {@code assetBaseUrl} and gives each an {@code integrity} hash of the file this jar holds, with
   * {@code crossorigin} (issue 14 finding 8): a CDN that serves other bytes is refused by the
   * browser. {@code assets} reads "/assets/…" from the client's files; a page that names a file the
   * jar lacks cannot be served with integrity, so it fails the start.
   */
  static String withAssetBase(String html, String assetBaseUrl, Function<String, byte[]> assets) {
    if (html == null || assetBaseUrl.isEmpty()) {
      return html;
    }
    String base =
        assetBaseUrl.endsWith("/")
            ? assetBaseUrl.substring(0, assetBaseUrl.length() - 1)
            : assetBaseUrl;
    Matcher tag = ASSET_TAG.matcher(html);
    StringBuilder out = new StringBuilder();
    while (tag.find()) {
      tag.appendReplacement(out, Matcher.quoteReplacement(cdnTag(tag, base, assets)));
    }
    tag.appendTail(out);
    return out.toString();
  }

  /** A script or link tag whose src/href is one of the client's hashed /assets/ files. */
  private static final Pattern ASSET_TAG =
      Pattern.compile("<(script|link)\\b([^>]*?)\\b(src|href)=\"(/assets/[^\"]+)\"([^>]*)>");

  private static String cdnTag(Matcher tag, String base, Function<String, byte[]> assets) {
    String path = tag.group(4);
    byte[] bytes = assets.apply(path);
    if (bytes == null) {
      throw new IllegalStateException("index.html names " + path + ", which is not in the jar");
    }
    String attributes = tag.group(2) + tag.group(5);
    StringBuilder t = new StringBuilder("<").append(tag.group(1)).append(tag.group(2));
    t.append(tag.group(3)).append("=\"").append(base).append(path).append('"');
    t.append(tag.group(5).replaceFirst("\\s*/$", ""));
    if (!attributes.contains("integrity=")) {
      t.append(" integrity=\"").append(SubresourceIntegrity.sha384(bytes)).append('"');
    }
    if (!attributes.contains("crossorigin")) {
      t.append(" crossorigin=\"anonymous\"");
    }
    return t.append(tag.group(5).matches(".*\\s*/$") ? " />" : ">").toString();
  }

  private static byte[] readBytes(String resource) {
    ClassLoader loader = WebPages.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
