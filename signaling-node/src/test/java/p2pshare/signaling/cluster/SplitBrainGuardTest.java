package p2pshare.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a stall leads to: one the others may not have noticed fences the node (the fence lifts on a
 * merge or after the fallback); one past their heartbeat timeout and next check ends the process
 * after the fence, so the stale node is never the side a merge keeps (stall-8s in the fault suite).
 */
class SplitBrainGuardTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<String> done = new ArrayList<>();

  private final SplitBrainGuard.Actions actions =
      new SplitBrainGuard.Actions() {
        @Override
        public void fence(String why) {
          done.add("fence");
        }

        @Override
        public boolean fenced() {
          return true;
        }

        @Override
        public Future<Void> cleanUp() {
          done.add("cleanUp");
          return Future.succeededFuture();
        }

        @Override
        public void repairSoon() {
          done.add("repair");
        }

        @Override
        public void exitAfterStall(long stalledMs) {
          done.add("exit");
        }
      };

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void aStallTheClusterMayNotHaveNoticedFencesAndWaits() {
    new SplitBrainGuard(vertx, actions).onStall(SplitBrainGuard.STALL_FENCE_MS);
    assertEquals(List.of("fence"), done);
  }

  @Test
  void aStallPastTheHeartbeatTimeoutFencesThenExits() {
    new SplitBrainGuard(vertx, actions).onStall(SplitBrainGuard.STALL_EXIT_MS);
    assertEquals(List.of("fence", "exit"), done);
  }
}
