package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebPagesTest {
  private static final Map<String, byte[]> FILES =
      Map.of(
          "/assets/index-abc.js", "console.log(1)".getBytes(StandardCharsets.UTF_8),
          "/assets/index-def.css", "body{}".getBytes(StandardCharsets.UTF_8));

  @Test
  void assetBaseUrlPointsHashedAssetsAtTheCdnWithIntegrity() {
    String html =
        "<script type=\"module\" crossorigin src=\"/assets/index-abc.js\"></script><link rel=\"stylesheet\" href=\"/assets/index-def.css\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">";
    String js = SubresourceIntegrity.sha384(FILES.get("/assets/index-abc.js"));
    String css = SubresourceIntegrity.sha384(FILES.get("/assets/index-def.css"));
    assertEquals(
        "<script type=\"module\" crossorigin src=\"https://cdn.example/p2p/assets/index-abc.js\" integrity=\""
            + js
            + "\"></script><link rel=\"stylesheet\" href=\"https://cdn.example/p2p/assets/index-def.css\" integrity=\""
            + css
            + "\" crossorigin=\"anonymous\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">",
        WebPages.withAssetBase(html, "https://cdn.example/p2p/", FILES::get));
    assertEquals(html, WebPages.withAssetBase(html, "", FILES::get));
  }

  @Test
  void theIntegrityIsSha384OfTheFile() {
    // printf '' | openssl dgst -sha384 -binary | base64
    assertEquals(
        "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb",
        SubresourceIntegrity.sha384(new byte[0]));
  }

  @Test
  void aPageNamingAFileTheJarLacksDoesNotStartWithACdn() {
    String html = "<script type=\"module\" src=\"/assets/missing.js\"></script>";
    assertThrows(
        IllegalStateException.class,
        () -> WebPages.withAssetBase(html, "https://cdn.example", FILES::get));
  }
}
