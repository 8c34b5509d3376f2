package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/**
 * A socket over its rate is paused at the transport: its flood waits in TCP buffers (its writes
 * block) instead of being read and decoded, while other sockets' messages keep flowing.
 */
class RateLimitBackPressureTest extends ClusterTestBase {
  /** Each flood frame is large, so kernel buffers fill after a few hundred of them. */
  private static final int FLOOD_FRAME_BYTES = 8_000;

  /**
   * A paused flooder gets about RATE_RESUME_TOKENS + 1 frames read per pause (≈ 110/s); a node that
   * reads every frame takes thousands per second of these.
   */
  private static final long MAX_FLOOD_FRAMES_PER_SECOND = 1_000;

  private static final long WINDOW_MS = 2_000;

  @BeforeAll
  static void start() {
    startCluster(1, Map.of());
  }

  @Test
  void floodingSocketIsPausedWhileOthersStillFlow() throws Exception {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(0));
        Socket raw = new Socket("127.0.0.1", cluster.port(0))) {
      a.join(room);
      String bId = b.join(room).getString("peerId");
      a.next("peer-joined");
      raw.setSendBufferSize(FLOOD_FRAME_BYTES);
      RawWebSocket.handshakeAndJoin(raw, Ids.randomId());
      double errorsBefore = rateLimitedErrors();

      AtomicLong written = new AtomicLong();
      Thread flood = new Thread(() -> flood(raw, written), "flooder");
      flood.setDaemon(true);
      long start = System.nanoTime();
      flood.start();

      // Past the burst of 1,000 it is told rate-limited (on a busy machine that can take a while)
      long deadline = System.nanoTime() + WsClient.WAIT_S * 1_000_000_000L;
      while (rateLimitedErrors() == errorsBefore && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(rateLimitedErrors() > errorsBefore, "the flooder was told rate-limited");
      // then the kernel's buffers fill and the flooder is held back by TCP
      waitUntilElapsed(System.nanoTime(), 1_000);
      long atWindowStart = written.get();
      long windowStart = System.nanoTime();
      // Meanwhile a calm sender's signals all arrive, in order.
      for (int i = 0; i < 50; i++) {
        a.send(new JsonObject().put("type", "signal").put("to", bId).put("data", i));
      }
      for (int i = 0; i < 50; i++) {
        assertEquals(i, b.next("signal").getInteger("data"), "calm signal " + i + " in order");
      }
      waitUntilElapsed(windowStart, WINDOW_MS);
      long inWindow = written.get() - atWindowStart;
      double seconds = (System.nanoTime() - start) / 1e9;

      assertTrue(
          inWindow < MAX_FLOOD_FRAMES_PER_SECOND * WINDOW_MS / 1000,
          "the flooder is paused: it wrote " + inWindow + " frames in " + WINDOW_MS + " ms");
      double errors = rateLimitedErrors() - errorsBefore;
      assertTrue(errors <= seconds + 1, errors + " rate-limited errors in " + seconds + " s");
      a.send(new JsonObject().put("type", "ping").put("t", 7));
      assertEquals(7, a.next("pong").getInteger("t"));
    }
  }

  /** Writes masked ping frames until the socket is closed; counts the frames written. */
  private static void flood(Socket raw, AtomicLong written) {
    String pad = "z".repeat(FLOOD_FRAME_BYTES);
    byte[] text =
        ("{\"type\":\"ping\",\"t\":1,\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
    try {
      OutputStream out = new BufferedOutputStream(raw.getOutputStream(), 2 * FLOOD_FRAME_BYTES);
      while (true) {
        RawWebSocket.writeFrame(out, 0x1, text);
        written.incrementAndGet();
      }
    } catch (IOException e) {
      // the test closed the socket
    }
  }

  private static double rateLimitedErrors() {
    return cluster
        .node(0)
        .runtime()
        .registry()
        .find("p2p_errors")
        .tag("code", "rate-limited")
        .counter()
        .count();
  }

  /** A measurement window: the flood is observed over this long, not waited for a condition. */
  private static void waitUntilElapsed(long startNanos, long millis) throws InterruptedException {
    long end = startNanos + millis * 1_000_000L;
    for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
      Thread.sleep(Math.max(1, (end - now) / 1_000_000));
    }
  }
}
