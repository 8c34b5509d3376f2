package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import p2pshare.cluster.NodeLoad;

/** Helpers for tests with real Hazelcast members on 127.0.0.1: ports, env, HTTP, waiting. */
final class TestSupport {
  static final Duration WAIT = Duration.ofSeconds(120);
  private static final long POLL_MS = 50;

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestSupport() {}

  static String randomClusterName() {
    return "p2p-test-" + UUID.randomUUID();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The environment of one test process: HTTP on a random port, Hazelcast on a chosen one. */
  static Map<String, String> env(
      String nodeId, String clusterName, int clusterPort, int... memberPorts) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ID", nodeId);
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("CLUSTER_NAME", clusterName);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", String.valueOf(clusterPort));
    StringBuilder members = new StringBuilder();
    for (int p : memberPorts) {
      members.append(members.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
    }
    env.put("CLUSTER_MEMBERS", members.toString());
    return env;
  }

  static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** Polls until the supplier answers non-null, or fails after {@link #WAIT}. */
  static <T> T waitFor(String what, Supplier<T> check) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      T value = check.get();
      if (value != null) {
        return value;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return fail("timed out waiting for " + what);
  }

  static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  static HttpResponse<String> post(String url, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
    return send(headers.length == 0 ? b : b.headers(headers));
  }

  private static HttpResponse<String> send(HttpRequest.Builder builder) {
    try {
      return HTTP.send(
          builder.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A node's load record as a signaling node would publish it. */
  static NodeLoad load(String id, String state, long connections, String adminUrl) {
    return new NodeLoad(
        id,
        "ws://127.0.0.1:1/" + id + "/ws",
        state,
        connections,
        connections / 2,
        connections,
        0.0,
        0.5,
        64L << 20,
        512L << 20,
        0.0,
        System.currentTimeMillis(),
        adminUrl);
  }
}
