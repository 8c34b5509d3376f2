package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 finding 8: with ASSET_BASE_URL the real balancer jar serves the built client's
 * index.html with every script and stylesheet pointed at the CDN and carrying {@code integrity}
 * (SHA-384 of the very file the jar serves under /assets/, which is what the CDN mirrors) and
 * {@code crossorigin}.
 */
class AssetIntegrityIT {
  static final String CDN = "https://cdn.example.test/p2p";
  static final Pattern TAG = Pattern.compile("<(script|link)\\b[^>]*>");
  static final Pattern URL = Pattern.compile("\\b(?:src|href)=\"([^\"]+)\"");
  static final Pattern INTEGRITY = Pattern.compile("\\bintegrity=\"([^\"]+)\"");

  static JarProcess balancer;

  @BeforeAll
  static void start() throws Exception {
    int port = JarProcess.freePort();
    balancer =
        JarProcess.start(
            "balancerJar",
            "sri-balancer",
            port,
            Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                String.valueOf(port),
                "CLUSTER_NAME",
                "sri-" + UUID.randomUUID(),
                "CLUSTER_HOST",
                "127.0.0.1",
                "CLUSTER_PORT",
                String.valueOf(JarProcess.freePort()),
                "ASSET_BASE_URL",
                CDN + "/"));
    balancer.awaitReady(Duration.ofSeconds(240));
  }

  @AfterAll
  static void stop() throws Exception {
    if (balancer != null) {
      balancer.close();
    }
  }

  @Test
  void cdnScriptsAndStylesCarryTheHashOfTheFilesTheJarServes() throws Exception {
    String page = balancer.get("/");
    assertFalse(page.contains("is not built into this balancer"), "the jar has no client");
    List<String> checked = new ArrayList<>();
    Matcher tag = TAG.matcher(page);
    while (tag.find()) {
      Matcher url = URL.matcher(tag.group());
      if (!url.find() || !url.group(1).contains("/assets/")) {
        continue;
      }
      String src = url.group(1);
      assertTrue(src.startsWith(CDN + "/assets/"), "not from the CDN: " + tag.group());
      Matcher integrity = INTEGRITY.matcher(tag.group());
      assertTrue(integrity.find(), "no integrity: " + tag.group());
      assertTrue(tag.group().contains("crossorigin"), "no crossorigin: " + tag.group());
      String path = src.substring(CDN.length());
      HttpResponse<byte[]> file =
          JarProcess.HTTP.send(
              HttpRequest.newBuilder(URI.create(balancer.base() + path)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, file.statusCode(), path);
      String expected =
          "sha384-"
              + Base64.getEncoder()
                  .encodeToString(MessageDigest.getInstance("SHA-384").digest(file.body()));
      assertEquals(expected, integrity.group(1), path);
      checked.add(path);
    }
    assertTrue(checked.stream().anyMatch(p -> p.endsWith(".js")), "a script checked: " + checked);
    assertTrue(checked.stream().anyMatch(p -> p.endsWith(".css")), "a style checked: " + checked);
  }
}
