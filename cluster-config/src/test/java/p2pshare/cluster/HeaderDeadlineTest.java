package p2pshare.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A trickled request head is cut at the deadline (a short one here; the jars: SlowHeadersIT). */
class HeaderDeadlineTest {
  static final long DEADLINE_MS = 1_000;
  static Vertx vertx;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer(HeaderDeadline.http1Only(new HttpServerOptions()));
    Router router = Router.router(vertx);
    router.get("/ok").handler(ctx -> ctx.response().end("ok"));
    new HeaderDeadline(vertx, DEADLINE_MS).install(server, router);
    port =
        server
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS)
            .actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aTrickledFirstHeadIsClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write(bytes("GET /ok HTTP/1.1\r\nHost: x\r\n"));
      assertClosedWithin(s, DEADLINE_MS * 5);
    }
  }

  @Test
  void aTrickledSecondHeadIsClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(bytes("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"));
      byte[] answer = new byte[512];
      int n = s.getInputStream().read(answer);
      assertTrue(new String(answer, 0, n, StandardCharsets.US_ASCII).endsWith("ok"));
      s.getOutputStream().write(bytes("GET /ok HTTP/1.1\r\n"));
      assertClosedWithin(s, DEADLINE_MS * 5);
    }
  }

  private static void assertClosedWithin(Socket s, long limitMs) throws IOException {
    long started = System.nanoTime();
    s.setSoTimeout(100);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    while ((System.nanoTime() - started) / 1_000_000 < limitMs) {
      try {
        out.write('a');
        if (in.read() == -1) {
          return;
        }
      } catch (SocketTimeoutException open) {
        // next byte
      } catch (IOException reset) {
        return;
      }
    }
    fail("still open after " + limitMs + " ms");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
