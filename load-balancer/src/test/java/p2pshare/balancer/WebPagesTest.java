package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WebPagesTest {
  @Test
  void assetBaseUrlPointsHashedAssetsAtTheCdn() {
    String html =
        "<script type=\"module\" src=\"/assets/index-abc.js\"></script><link rel=\"stylesheet\" href=\"/assets/index-def.css\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">";
    assertEquals(
        "<script type=\"module\" src=\"https://cdn.example/p2p/assets/index-abc.js\"></script><link rel=\"stylesheet\" href=\"https://cdn.example/p2p/assets/index-def.css\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">",
        WebPages.withAssetBase(html, "https://cdn.example/p2p/"));
    assertEquals(html, WebPages.withAssetBase(html, ""));
  }
}
