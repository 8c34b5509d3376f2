package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.HeaderDeadline;

/**
 * Issue 14 finding 5 (slowloris): the real balancer and node jars close a connection whose request
 * head trickles in one byte a second — never idle, never complete — once {@link
 * HeaderDeadline#HEADER_DEADLINE_MS} has passed, on a fresh connection and on a kept-alive one
 * after its first answer; an upgraded WebSocket is not cut by that deadline.
 */
class SlowHeadersIT {
  /** One header byte this often: far below every idle timeout. */
  static final int TRICKLE_EVERY_MS = 1_000;

  /** Scheduling slack on a loaded machine, on top of the deadline. */
  static final long SLACK_MS = 10_000;

  /** Without the guard the trickle would go on for hours; the test stops here and fails. */
  static final long GIVE_UP_MS = HeaderDeadline.HEADER_DEADLINE_MS * 4;

  static JarProcess node;
  static JarProcess balancer;

  @BeforeAll
  static void start() throws Exception {
    String cluster = "slow-" + UUID.randomUUID();
    int nodeHz = JarProcess.freePort();
    int balancerHz = JarProcess.freePort();
    String members = "127.0.0.1:" + nodeHz + ",127.0.0.1:" + balancerHz;
    int nodePort = JarProcess.freePort();
    node =
        JarProcess.start(
            "nodeJar",
            "slow-node",
            nodePort,
            Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                String.valueOf(nodePort),
                "CLUSTER_NAME",
                cluster,
                "CLUSTER_HOST",
                "127.0.0.1",
                "CLUSTER_PORT",
                String.valueOf(nodeHz),
                "CLUSTER_MEMBERS",
                members));
    int balancerPort = JarProcess.freePort();
    balancer =
        JarProcess.start(
            "balancerJar",
            "slow-balancer",
            balancerPort,
            Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                String.valueOf(balancerPort),
                "CLUSTER_NAME",
                cluster,
                "CLUSTER_HOST",
                "127.0.0.1",
                "CLUSTER_PORT",
                String.valueOf(balancerHz),
                "CLUSTER_MEMBERS",
                members));
    node.awaitReady(Duration.ofSeconds(240));
    balancer.awaitReady(Duration.ofSeconds(240));
  }

  @AfterAll
  static void stop() throws Exception {
    if (balancer != null) {
      balancer.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void theBalancerClosesATrickledRequestHead() throws Exception {
    try (Socket s = new Socket(balancer.host, balancer.port)) {
      s.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n"));
      assertClosedByTheDeadline(s);
    }
  }

  @Test
  void theBalancerClosesATrickledSecondRequestOnAKeptAliveConnection() throws Exception {
    try (Socket s = new Socket(balancer.host, balancer.port)) {
      s.getOutputStream().write(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      readOneResponse(s);
      s.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n"));
      assertClosedByTheDeadline(s);
    }
  }

  @Test
  void aNodeClosesATrickledRequestHead() throws Exception {
    try (Socket s = new Socket(node.host, node.port)) {
      s.getOutputStream().write(ascii("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"));
      assertClosedByTheDeadline(s);
    }
  }

  @Test
  void aNodeClosesATrickledSecondRequestOnAKeptAliveConnection() throws Exception {
    try (Socket s = new Socket(node.host, node.port)) {
      s.getOutputStream().write(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      readOneResponse(s);
      s.getOutputStream().write(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
      assertClosedByTheDeadline(s);
    }
  }

  @Test
  void aWebSocketOnANodeOutlivesTheHeaderDeadline() throws Exception {
    CompletableFuture<Void> pong = new CompletableFuture<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws =
        JarProcess.HTTP
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://" + node.host + ":" + node.port + "/ws"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                    pong.complete(null);
                    w.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                    closed.complete(code);
                    return null;
                  }

                  @Override
                  public void onError(WebSocket w, Throwable error) {
                    closed.complete(-1);
                  }
                })
            .get(10, TimeUnit.SECONDS);
    long openedAt = System.nanoTime();
    // the assertion is that nothing happens for a while: wait past the deadline, then probe
    long past = HeaderDeadline.HEADER_DEADLINE_MS + 3_000;
    Integer early = null;
    try {
      early = closed.get(past, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException expected) {
      // still open after the deadline, as it should be
    }
    assertTrue(
        early == null,
        "the WebSocket was closed ("
            + early
            + ") after "
            + (System.nanoTime() - openedAt) / 1_000_000
            + " ms");
    ws.sendPing(ByteBuffer.wrap(ascii("still-there")));
    pong.get(10, TimeUnit.SECONDS);
    ws.abort();
  }

  /** Trickles one more header byte a second until the server closes; fails past GIVE_UP_MS. */
  private static void assertClosedByTheDeadline(Socket s) throws IOException {
    long started = System.nanoTime();
    s.setSoTimeout(TRICKLE_EVERY_MS);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    byte[] header = ascii("X-Slow: " + "a".repeat(1_000));
    for (int i = 0; ; i++) {
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      if (elapsedMs > GIVE_UP_MS) {
        fail("still open after " + elapsedMs + " ms of a trickled request head");
      }
      try {
        out.write(header[i % header.length]);
        out.flush();
        if (in.read() == -1) {
          assertInTime(started);
          return;
        }
        // the server answered something (an error status) before closing: keep reading
      } catch (SocketTimeoutException stillOpen) {
        // nothing to read within TRICKLE_EVERY_MS: send the next byte
      } catch (IOException reset) {
        assertInTime(started); // the server closed the connection (reset on our write)
        return;
      }
    }
  }

  private static void assertInTime(long startedNanos) {
    long elapsedMs = (System.nanoTime() - startedNanos) / 1_000_000;
    assertTrue(
        elapsedMs <= HeaderDeadline.HEADER_DEADLINE_MS + SLACK_MS,
        "closed only after " + elapsedMs + " ms");
  }

  /** Reads one HTTP/1.1 response with a Content-Length body. */
  private static void readOneResponse(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        fail("closed before the first answer: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("HTTP/1.1 200"), text);
    long length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    for (long i = 0; i < length; i++) {
      if (in.read() < 0) {
        fail("closed inside the first answer");
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
