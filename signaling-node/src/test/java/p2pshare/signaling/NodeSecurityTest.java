package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;

/**
 * Issue 14 on a real node: MAX_CONNECTIONS_PER_IP caps one address's sockets (the next upgrade gets
 * HTTP 429, finding 5), and the node's own /metrics needs OPERATOR_TOKEN (finding 6).
 */
class NodeSecurityTest extends ClusterTestBase {
  static final int MAX_PER_IP = 3;
  static final String TOKEN = "node-test-token-" + Ids.randomId();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    startCluster(
        1, Map.of("MAX_CONNECTIONS_PER_IP", String.valueOf(MAX_PER_IP), "OPERATOR_TOKEN", TOKEN));
  }

  @Test
  void oneAddressGetsAtMostMaxConnectionsPerIpAndTheNextUpgradeIs429() throws Exception {
    Socket[] open = new Socket[MAX_PER_IP];
    try {
      for (int i = 0; i < MAX_PER_IP; i++) {
        open[i] = new Socket("127.0.0.1", cluster.port(0));
        open[i].setSoTimeout(20_000);
        RawWebSocket.handshake(open[i]);
      }
      try (Socket extra = new Socket("127.0.0.1", cluster.port(0))) {
        extra.setSoTimeout(20_000);
        String status = statusLine(extra);
        assertTrue(status.startsWith("HTTP/1.1 429"), "the next upgrade is refused: " + status);
      }
      // a header a client sets itself does not make it someone else (no TRUSTED_PROXIES)
      try (Socket forged = new Socket("127.0.0.1", cluster.port(0))) {
        forged.setSoTimeout(20_000);
        assertTrue(
            statusLine(forged, "X-Forwarded-For: 203.0.113.9\r\n").startsWith("HTTP/1.1 429"));
      }
      open[0].close();
      // once a socket is gone its slot is free again
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        try (Socket again = new Socket("127.0.0.1", cluster.port(0))) {
          again.setSoTimeout(20_000);
          if (statusLine(again).startsWith("HTTP/1.1 101")) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          fail("the freed slot was never given back");
        }
        Thread.sleep(50);
      }
    } finally {
      for (Socket s : open) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  @Test
  void metricsNeedTheOperatorTokenProbesDoNot() throws Exception {
    String base = "http://127.0.0.1:" + cluster.port(0);
    assertEquals(401, get(base + "/metrics", null).statusCode());
    assertEquals(401, get(base + "/metrics", "Bearer nope").statusCode());
    HttpResponse<String> ok = get(base + "/metrics", "Bearer " + TOKEN);
    assertEquals(200, ok.statusCode());
    assertTrue(ok.body().contains("jvm_"), "the Prometheus text itself");
    assertEquals(200, get(base + "/healthz", null).statusCode());
    assertEquals(200, get(base + "/readyz", null).statusCode());
  }

  private static HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends a WebSocket upgrade and reads the answer's status line. */
  private static String statusLine(Socket s, String... extraHeaders) throws IOException {
    String key = "MDEyMzQ1Njc4OWFiY2RlZg==";
    s.getOutputStream()
        .write(
            ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: "
                    + key
                    + "\r\nSec-WebSocket-Version: 13\r\n"
                    + String.join("", extraHeaders)
                    + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.append((char) b);
    }
    return line.toString();
  }
}
