package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 5: the balancer stays out of the data path. While a signaling node is frozen
 * (SIGSTOP — a member that is unreachable but not yet declared dead, then declared dead), GET
 * /api/rooms/{id} and GET /api/nodes still answer within a second: from what the balancer can see,
 * or 503 no-live-node; never a hang.
 */
class BalancerDuringStallIT {
  static final long ANSWER_BUDGET_MS = 1_000;
  static final Duration STALL = Duration.ofSeconds(10);
  static final int ROOMS = 12;
  static final Set<Integer> ROOM_STATUSES = Set.of(200, 503);

  record Answer(String path, int status, long millis) {}

  @Test
  void answersWithinASecondWhileANodeIsFrozen() throws Exception {
    try (FaultCluster cluster = FaultCluster.start(30, null)) {
      List<String> rooms = new ArrayList<>();
      for (int i = 0; i < ROOMS; i++) {
        rooms.add(new JsonObject(cluster.balancer.post("/api/rooms")).getString("room"));
      }
      List<Answer> answers = new ArrayList<>();
      cluster.node(2).freeze();
      long end = System.nanoTime() + STALL.toNanos();
      try {
        int i = 0;
        while (System.nanoTime() < end) {
          answers.add(timed(cluster, "/api/rooms/" + rooms.get(i++ % ROOMS)));
          answers.add(timed(cluster, "/api/nodes"));
          TimeUnit.MILLISECONDS.sleep(100);
        }
      } finally {
        cluster.node(2).thaw();
      }
      long worst = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
      System.out.println(
          "FIGURE balancer while a node is frozen: "
              + answers.size()
              + " answers, slowest "
              + worst
              + " ms, statuses "
              + answers.stream()
                  .map(a -> a.path().startsWith("/api/nodes") ? "n" + a.status() : "r" + a.status())
                  .distinct()
                  .toList());
      for (Answer a : answers) {
        assertTrue(a.millis() < ANSWER_BUDGET_MS, "slow answer: " + a);
        if (a.path().equals("/api/nodes")) {
          assertEquals(200, a.status(), "nodes list: " + a);
        } else {
          assertTrue(ROOM_STATUSES.contains(a.status()), "room answer: " + a);
        }
      }
      assertTrue(answers.size() > 10, "asked often enough: " + answers.size());
    }
  }

  private static Answer timed(FaultCluster cluster, String path) {
    long start = System.nanoTime();
    int status;
    try {
      status =
          JarProcess.HTTP
              .send(
                  HttpRequest.newBuilder(URI.create(cluster.balancer.base() + path))
                      .timeout(Duration.ofSeconds(15))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
    } catch (Exception e) {
      status = -1;
    }
    return new Answer(path, status, (System.nanoTime() - start) / 1_000_000);
  }
}
