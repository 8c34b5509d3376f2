package p2pshare.signaling.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pshare.cluster.HazelcastConfigs;

/**
 * Turns what Hazelcast and the process tell about this node's place in the cluster into membership
 * actions: a stall past the heartbeat or a merge (this side lost the split brain) fences the node;
 * the end of the merge cleans up and lifts the fence; any change of the members triggers a repair
 * pass. A stall long enough that the others have certainly removed this node ends the process once
 * its sockets were told to reconnect: it is restarted (as after a crash) and joins afresh.
 */
public final class SplitBrainGuard implements LifecycleListener, MembershipListener {
  /** A stall this long (ms) may already have had the node declared dead: fence. */
  public static final long STALL_FENCE_MS = (HazelcastConfigs.MAX_NO_HEARTBEAT_S - 1) * 1000L;

  /**
   * After a stall fence, if no merge started by then the cluster never removed this node: clean up
   * and lift the fence anyway.
   */
  public static final long STALL_FALLBACK_MS = 3L * HazelcastConfigs.MERGE_DELAY_S * 1000L;

  /**
   * A stall this long (ms) outlasted the others' heartbeat timeout and their next check: they have
   * removed this node. Waiting to be merged back is not safe: Hazelcast merges the side with fewer
   * data members into the other and, on a tie (one node on each side), picks by address — so half
   * the time the nodes that kept running would be merged into this stale one, fence all their
   * sockets and restart the balancer's member, and under load the merge's migrations hold every
   * cluster call for tens of seconds (stall-8s in the fault suite). The node exits instead.
   */
  public static final long STALL_EXIT_MS =
      (HazelcastConfigs.MAX_NO_HEARTBEAT_S + HazelcastConfigs.HEARTBEAT_INTERVAL_S) * 1000L;

  /** What the guard makes happen (implemented by the peer layer). */
  public interface Actions {
    void fence(String why);

    boolean fenced();

    Future<Void> cleanUp();

    void repairSoon();

    /** Ends the process after a stall of {@code stalledMs}, once the fence's sockets are told. */
    void exitAfterStall(long stalledMs);
  }

  private final Vertx vertx;
  private final Actions actions;
  private final StallDetector stalls;
  private volatile boolean merging;

  public SplitBrainGuard(Vertx vertx, Actions actions) {
    this.vertx = vertx;
    this.actions = actions;
    this.stalls = new StallDetector(STALL_FENCE_MS, this::onStall);
  }

  public void start() {
    stalls.start();
  }

  public void stop() {
    stalls.stop();
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    switch (event.getState()) {
      case MERGING -> {
        merging = true;
        actions.fence("merging into the cluster after a split");
      }
      case MERGED, MERGE_FAILED -> {
        merging = false;
        vertx.runOnContext(v -> actions.cleanUp().onComplete(x -> actions.repairSoon()));
      }
      case SHUTTING_DOWN -> stalls.stop();
      default -> {}
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    actions.repairSoon();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    actions.repairSoon();
  }

  void onStall(long stalledMs) {
    actions.fence("process stalled " + stalledMs + " ms");
    if (stalledMs >= STALL_EXIT_MS) {
      stalls.stop();
      actions.exitAfterStall(stalledMs);
      return;
    }
    vertx.setTimer(
        STALL_FALLBACK_MS,
        t -> {
          if (!merging && actions.fenced()) {
            actions.cleanUp().onComplete(x -> actions.repairSoon());
          }
        });
  }
}
