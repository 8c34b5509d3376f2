package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.Ids;
import p2pshare.signaling.session.Limits;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/**
 * Issue 14 finding 5, "error frames skip the write-queue bound": a client that never reads, fed
 * error frames by its own requests, must be closed as a slow consumer once its unsent output passes
 * {@link Limits#WRITE_QUEUE_MAX_BYTES}, like any other frame. Error frames alone would need minutes
 * (the kernel holds megabytes, the rate limit allows 100 messages/s), so another peer's signals
 * first fill the kernel's buffers and most of the node's queue — measured from the kernel's queues
 * in /proc/net/tcp, stopping short of the bound — and then only error frames go to the reader.
 */
class ErrorFramesWriteBoundTest extends ClusterTestBase {
  /** Signal data per frame: under the 64 KiB frame limit. */
  static final int SIGNAL_DATA_CHARS = 60_000;

  /** Bytes a relayed signal frame carries beyond its data (JSON fields, seq, frame header). */
  static final int SIGNAL_OVERHEAD_BYTES = 100;

  /** The signals stop once the node's queue for the reader holds this much: below the bound. */
  static final long FILL_TARGET_BYTES = Limits.WRITE_QUEUE_MAX_BYTES - 3L * SIGNAL_DATA_CHARS;

  /** Signals sent at most before giving up (the kernel's buffers take a few MB). */
  static final int MAX_SIGNALS = 300;

  /**
   * The reader must be closed within this (it takes ~1,000 error frames: a burst and a few
   * seconds); below the node's 45 s idle timeout, after which the filler's own close would end the
   * test.
   */
  static final long CLOSE_DEADLINE_S = 30;

  /** While the reader floods, the filler pings this often (a node closes idle sockets). */
  static final long FILLER_PING_MS = 500;

  /** A peer id of the right shape that is in no room: each use is answered unknown-peer. */
  static final String NOBODY = "AAAAAAAAAAAAAAAAAAAAAA";

  @BeforeAll
  static void start() {
    startCluster(1, Map.of());
  }

  @Test
  void aReaderThatNeverReadsIsClosedWhenItsErrorFramesPassTheBound() throws Exception {
    String room = Ids.randomId();
    int nodePort = cluster.port(0);
    try (WsClient filler = WsClient.connect(clientVertx, nodePort);
        Socket reader = new Socket()) {
      reader.setReceiveBufferSize(4096);
      reader.connect(new InetSocketAddress("127.0.0.1", nodePort));
      RawWebSocket.handshakeAndJoin(reader, room);
      String readerId =
          new JsonObject(RawWebSocket.readText(reader.getInputStream())).getString("peerId");
      filler.join(room);
      assertEquals(
          "peer-joined",
          new JsonObject(RawWebSocket.readText(reader.getInputStream())).getString("type"));
      // From here the reader reads nothing: everything for it waits in the queues.
      TcpQueues queues = new TcpQueues(nodePort, reader.getLocalPort());
      String data = "y".repeat(SIGNAL_DATA_CHARS);
      long sent = 0;
      int signals = 0;
      while (sent - queues.settledKernelBytes() < FILL_TARGET_BYTES) {
        if (++signals > MAX_SIGNALS) {
          fail("the node's queue for the reader never filled: " + sent + " bytes sent");
        }
        filler.send(new JsonObject().put("type", "signal").put("to", readerId).put("data", data));
        filler.send(new JsonObject().put("type", "ping").put("t", signals));
        filler.next("pong"); // the node read the signal before the ping
        awaitNodeLoopsIdle(); // and wrote it to the reader's queue (a task on the reader's loop)
        sent += SIGNAL_DATA_CHARS + SIGNAL_OVERHEAD_BYTES;
      }
      assertEquals(0, slowConsumersClosed(), "the signals alone must stay under the bound");

      double errorsBefore = unknownPeerErrors();
      Thread flood = new Thread(() -> floodWithBadSignals(reader), "error-flood");
      flood.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_DEADLINE_S);
        long pings = 0;
        while (slowConsumersClosed() == 0 && System.nanoTime() < deadline) {
          // The filler stays active: its idle close would send the reader a peer-left, a
          // non-error frame, which the bound closes the reader for whatever errors do.
          filler.send(new JsonObject().put("type", "ping").put("t", ++pings));
          TimeUnit.MILLISECONDS.sleep(FILLER_PING_MS);
        }
        assertEquals(
            1,
            slowConsumersClosed(),
            "a reader whose error frames pass the bound is closed as a slow consumer, once ("
                + (long) (unknownPeerErrors() - errorsBefore)
                + " error frames answered within "
                + CLOSE_DEADLINE_S
                + " s)");
        assertTrue(unknownPeerErrors() > errorsBefore, "error frames took it over the bound");
        assertFalse(
            filler.closed(),
            () ->
                "the filler left (close "
                    + filler.awaitClose()
                    + "): its peer-left closed the reader");
      } finally {
        reader.close();
        flood.join();
      }
    }
  }

  /** Signals to nobody, as fast as the node reads them (it pauses a socket over its rate). */
  private static void floodWithBadSignals(Socket reader) {
    try {
      OutputStream out = reader.getOutputStream();
      String bad = new JsonObject().put("type", "signal").put("to", NOBODY).put("data", 0).encode();
      while (!reader.isClosed()) {
        RawWebSocket.writeText(out, bad);
      }
    } catch (IOException closed) {
      // the node closed the socket, or the test did
    }
  }

  /**
   * Runs an empty task on every event loop of the node: tasks run in order, so everything they were
   * given before (a relayed signal is written by a task on its recipient's loop) has run.
   */
  private static void awaitNodeLoopsIdle() throws Exception {
    VertxInternal vertx = (VertxInternal) cluster.node(0).runtime().vertx();
    for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
      loop.submit(() -> {}).get(WsClient.WAIT_S, TimeUnit.SECONDS);
    }
  }

  private static double slowConsumersClosed() {
    return registry().find("p2p_slow_consumers_closed").counter().count();
  }

  private static double unknownPeerErrors() {
    return registry().find("p2p_errors").tag("code", "unknown-peer").counter().count();
  }

  private static io.micrometer.core.instrument.MeterRegistry registry() {
    return cluster.node(0).runtime().registry();
  }

  /**
   * The kernel's queues of one loopback TCP connection (Linux /proc/net/tcp): what the node's side
   * has handed to the kernel but not delivered, and what the client's side received but not read.
   * What the node sent minus these is what still waits in the node's own queue.
   */
  record TcpQueues(int nodePort, int clientPort) {
    private static final long SETTLE_POLL_MS = 20;
    private static final long SETTLE_DEADLINE_MS = 10_000;

    /** Both queues, once two reads in a row agree (the node's last writes reached the kernel). */
    long settledKernelBytes() throws IOException, InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
      long last = kernelBytes();
      while (System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(SETTLE_POLL_MS);
        long now = kernelBytes();
        if (now == last) {
          return now;
        }
        last = now;
      }
      return last;
    }

    private long kernelBytes() throws IOException {
      return queue(nodePort, clientPort, 0) + queue(clientPort, nodePort, 1);
    }

    /**
     * tx_queue (column 0) or rx_queue (1) of the loopback socket local:remote (Java's sockets are
     * often IPv6 ones with IPv4-mapped addresses, so both tables are searched, by port).
     */
    private static long queue(int local, int remote, int column) throws IOException {
      String localPort = ":%04X".formatted(local);
      String remotePort = ":%04X".formatted(remote);
      for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 4 && f[1].endsWith(localPort) && f[2].endsWith(remotePort)) {
            return Long.parseLong(f[4].split(":")[column], 16);
          }
        }
      }
      throw new IOException("no socket on port " + local + " to port " + remote + " in /proc/net");
    }
  }
}
